"""What a subscriber may choose, checked the same way for the form, the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Strand
from notifier.models.people import FREQUENCIES
from notifier.subscriptions.csv_cells import FORMULA_STARTS

FREQUENCY_LABELS = {
    "immediate": "As soon as an update is published",
    "daily": "Daily digest",
    "weekly": "Weekly digest",
}
assert set(FREQUENCY_LABELS) == set(FREQUENCIES)


class InvalidChoice(ValueError):
    """One field is wrong; the message says how to put it right."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Choices:
    strands: list[Strand]
    frequency: str
    reminders: bool

    @property
    def slugs(self) -> list[str]:
        return [strand.slug for strand in self.strands]


def normalise_email(raw: str | None) -> str:
    """Return the address trimmed and lower-cased; raise InvalidChoice if it is not one."""
    value = (raw or "").strip()
    if not value:
        raise InvalidChoice("email", "Enter your email address")
    try:
        # No DNS lookups: they are slow, flaky, and reveal nothing we need.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidChoice(
            "email", "Enter an email address in the correct format, like name@example.com"
        ) from None
    if len(result.normalized) > 320:
        raise InvalidChoice("email", "Enter an email address of 320 characters or fewer")
    if result.normalized.startswith(FORMULA_STARTS):
        # Legal in RFC 5322 but a formula in a spreadsheet, where lists end up.
        raise InvalidChoice("email", "Enter an email address that does not start with =, +, - or @")
    return result.normalized.lower()


def active_strands() -> list[Strand]:
    return list(db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position)))


def pick_strands(slugs: Iterable[str]) -> list[Strand]:
    """Return the active strands named by slug; raise InvalidChoice for none or an unknown one."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        raise InvalidChoice("strands", "Choose at least one strand")
    by_slug = {strand.slug: strand for strand in active_strands()}
    if any(slug not in by_slug for slug in wanted):
        raise InvalidChoice("strands", "Choose strands from the list")
    return [strand for slug, strand in by_slug.items() if slug in wanted]


def check_frequency(value: str | None) -> str:
    if value not in FREQUENCIES:
        raise InvalidChoice("frequency", "Choose how often you want to hear from us")
    return value
