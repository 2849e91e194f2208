"""The public forms: fields as the contract names them, checked by the subscription rules."""

from __future__ import annotations

from collections import Counter

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField

from notifier.subscriptions.choice_fields import TRUE, choices_from_fields
from notifier.subscriptions.choices import (
    FREQUENCY_LABELS,
    Choices,
    InvalidChoice,
    InvalidChoices,
    active_strands,
)
from notifier.subscriptions.email_address import normalise_email
from notifier.web.page_form import PageForm


class PreferencesForm(PageForm):
    """Strands with one frequency and reminders choice for them all: the sign-up form's part.

    It also takes the per-strand fields the manage page sends (the contract's rule: a plain
    choice applies to each strand without its own), so "subscribe again" keeps every strand's.
    """

    strands = SelectMultipleField("Strands", choices=[], validate_choice=False)
    frequency = StringField("How often", default="daily")
    frequency_options = FREQUENCY_LABELS
    reminders = BooleanField("Remind me before comment deadlines", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.strand_options = active_strands()
        self.choices: Choices | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check CSRF and NULs, then the choices by the same rules the API uses."""
        if not super().validate(extra_validators):
            return False
        try:
            self.choices = choices_from_fields(request.form.getlist)
        except InvalidChoices as exc:
            self.problems = exc.errors
            for name, message in exc.errors.items():
                if name in ("strands", "frequency"):
                    self[name].errors = [*self[name].errors, message]
            return False
        return True

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in the order of the fields on the page."""
        anchors = {
            "email": "email",
            "strands": f"strands-{self.strand_options[0].slug}" if self.strand_options else "",
            "frequency": "frequency-immediate",
            "reminders": "reminders",
        }
        errors = self.errors
        return [(anchors[name], message) for name in anchors for message in errors.get(name, ())]


class ManageForm(PageForm):
    """The manage page: a row per strand with its own frequency and reminders."""

    def __init__(self, subscriber, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.strand_options = active_strands()
        held = {sub.strand_id: sub for sub in subscriber.subscriptions}
        # What each row shows: the subscriber's choice, or for a strand they do not follow,
        # their most usual one (a new strand most likely wants the same).
        usual = _usual(held.values())
        self.rows = [
            {
                "strand": strand,
                "followed": strand.id in held,
                "frequency": held[strand.id].frequency if strand.id in held else usual[0],
                "reminders": held[strand.id].reminders if strand.id in held else usual[1],
            }
            for strand in self.strand_options
        ]
        self.choices: Choices | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check CSRF and NULs, then read the rows; on errors the rows show what was sent."""
        if not super().validate(extra_validators):
            if "csrf_token" in self.errors:
                self.problems = {"csrf_token": "This form has expired: reload the page"}
            else:
                self._show_sent()
            return False
        try:
            self.choices = choices_from_fields(request.form.getlist)
        except InvalidChoices as exc:
            self.problems = exc.errors
            self._show_sent()
            return False
        return True

    def label_for(self, name: str) -> str:
        names = {"strands": "Strands", "frequency": "How often"}
        for strand in self.strand_options:
            names[f"frequency-{strand.slug}"] = f"How often for {strand.name}"
            names[f"reminders-{strand.slug}"] = f"Reminders for {strand.name}"
        return names.get(name) or super().label_for(name)

    def _show_sent(self) -> None:
        def sent(name: str) -> list[str]:
            return [value.replace("\0", "") for value in request.form.getlist(name)]

        kept = sent("strands")
        for row in self.rows:
            slug = row["strand"].slug
            row["followed"] = slug in kept
            row["frequency"] = (sent(f"frequency-{slug}") or [row["frequency"]])[0]
            reminders = sent(f"reminders-{slug}")
            row["reminders"] = bool(reminders) and reminders[-1].lower() in TRUE

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in the order of the fields on the page."""
        first = self.strand_options[0].slug if self.strand_options else ""
        anchors = {"strands": f"strands-{first}", "frequency": f"frequency-{first}-immediate"}
        for row in self.rows:
            slug = row["strand"].slug
            anchors[f"frequency-{slug}"] = f"frequency-{slug}-immediate"
            anchors[f"reminders-{slug}"] = f"reminders-{slug}"
        order = {name: index for index, name in enumerate(anchors)}
        ranked = sorted(self.problems.items(), key=lambda item: order.get(item[0], len(order)))
        return [(anchors.get(name, name), message) for name, message in ranked]


def _usual(subscriptions) -> tuple[str, bool]:
    """The most common frequency and reminders choice among these; daily with reminders."""
    frequencies = Counter(sub.frequency for sub in subscriptions)
    reminders = Counter(sub.reminders for sub in subscriptions)
    return (
        frequencies.most_common(1)[0][0] if frequencies else "daily",
        reminders.most_common(1)[0][0] if reminders else True,
    )


class SubscribeForm(PreferencesForm):
    """The start page form, with the honeypot field people never see."""

    email = StringField("Email address")
    # Hidden from people and screen readers; a bot that fills it gets the usual answer.
    website = StringField("Leave this empty")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if "email" in self.problems:
            return False  # a NUL: that is the one thing to say about the address
        address = try_field(self.email, normalise_email)
        if address is None or not ok:
            return False
        self.address = address
        return True

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class NewLinkForm(PageForm):
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
