"""Form fields the admin pages share."""

from __future__ import annotations

from wtforms import SelectMultipleField


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes; none chosen is allowed (it means everyone)."""

    def pre_validate(self, form):
        known = {value for value, _ in self.choices}
        for value in self.data or []:
            if value not in known:
                raise ValueError(f"{value!r} is not a strand")
