"""The base of every page form that shows a NUL character as an error beside its field.

The door (web/intake.refuse_nul) refuses a NUL in a form with a 400 page, as it knows no
form. A view marked @form_shows_nul is let through with its form's NULs, and its PageForm
refuses them instead: the page comes back with the message beside the field and the
visitor's other input kept, and validate() is False before anything reads the database.
"""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm

from notifier.web.intake import nul_names


class PageForm(FlaskForm):
    """A FlaskForm whose validate() is False, with a message per field, for any NUL sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors keyed by the names the page sends, whether or not they are WTForms fields.
        self.problems: dict[str, str] = {}

    def validate(self, extra_validators=None) -> bool:
        """CSRF and the fields' own checks, then no NUL anywhere in the form."""
        ok = super().validate(extra_validators)
        return self.refuse_nul() and ok

    def refuse_nul(self) -> bool:
        """Put a message on each sent field holding NUL and show its text without; True if none."""
        names = nul_names(request.form)
        for name in names:
            message = f"{self.label_for(name)} must not contain the NUL character (it is invisible)"
            self.problems[name] = message
            if (field := self._fields.get(name)) is not None:
                field.errors = [message]
                field.data = _without_nul(field.data)
        return not names

    def label_for(self, name: str) -> str:
        """What the page calls the field sent as ``name``."""
        field = self._fields.get(name)
        return field.label.text if field is not None else "This form"


def _without_nul(data):
    if isinstance(data, str):
        return data.replace("\0", "")
    if isinstance(data, list):
        return [_without_nul(item) for item in data]
    return data
