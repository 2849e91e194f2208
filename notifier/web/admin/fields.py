"""Form fields the admin pages share."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.validators import ValidationError


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes; none chosen is allowed (it means everyone)."""

    def pre_validate(self, form):
        known = {value for value, _ in self.choices}
        for value in self.data or []:
            if value not in known:
                # ValidationError, not a bare ValueError: WTForms 3 lets the latter escape as a 500.
                raise ValidationError(f"{value!r} is not a strand")
