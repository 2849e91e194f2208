"""The public forms: fields as the contract names them, checked by the subscription rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField

from notifier.subscriptions.choices import (
    FREQUENCY_LABELS,
    Choices,
    InvalidChoice,
    active_strands,
    check_frequency,
    normalise_email,
    pick_strands,
)


class PreferencesForm(FlaskForm):
    """Strands, frequency and reminders: what the manage page changes."""

    strands = SelectMultipleField("Strands", choices=[], validate_choice=False)
    frequency = StringField("How often", default="daily")
    frequency_options = FREQUENCY_LABELS
    reminders = BooleanField("Remind me before comment deadlines", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.strand_options = active_strands()
        self.choices: Choices | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check CSRF, then the choices by the same rules the API uses."""
        if not super().validate(extra_validators):
            return False
        try_field(self.frequency, check_frequency)
        try_field(self.strands, pick_strands)
        if self.errors:
            return False
        self.choices = Choices(
            pick_strands(self.strands.data), self.frequency.data, bool(self.reminders.data)
        )
        return True

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in the order of the fields on the page."""
        anchors = {
            "email": "email",
            "strands": f"strands-{self.strand_options[0].slug}" if self.strand_options else "",
            "frequency": "frequency-immediate",
        }
        errors = self.errors
        return [(anchors[name], message) for name in anchors for message in errors.get(name, ())]


class SubscribeForm(PreferencesForm):
    """The start page form, with the honeypot field people never see."""

    email = StringField("Email address")
    # Hidden from people and screen readers; a bot that fills it gets the usual answer.
    website = StringField("Leave this empty")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        address = try_field(self.email, normalise_email)
        if address is None or not ok:
            return False
        self.address = address
        return True

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class NewLinkForm(FlaskForm):
    """Ask for a fresh link by address, from the page a broken link shows."""

    email = StringField("Email address")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.address = try_field(self.email, normalise_email)
        return self.address is not None

    def error_list(self) -> list[tuple[str, str]]:
        return [("email", message) for message in self.email.errors]


class ButtonForm(FlaskForm):
    """A form that is one button: it carries only the CSRF token."""


def try_field(field, check):
    """Run a rule on a field's data; on InvalidChoice put its message on the field."""
    try:
        return check(field.data)
    except InvalidChoice as exc:
        field.errors = [*field.errors, exc.message]
        return None
