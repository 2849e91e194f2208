"""What a subscriber may choose, checked the same way for the form, the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Strand
from notifier.models.people import FREQUENCIES

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
class Preference:
    """One strand chosen, how often to hear of it, and whether to be reminded of deadlines."""

    strand: Strand
    frequency: str
    reminders: bool

    def as_record(self) -> dict:
        """The JSON form kept in consent records and shown by the API."""
        return {
            "strand": self.strand.slug,
            "frequency": self.frequency,
            "reminders": self.reminders,
        }


@dataclass(frozen=True)
class Choices:
    """What someone chose: a preference per strand, in the strands' listed order."""

    preferences: tuple[Preference, ...]

    @classmethod
    def same(cls, strands: Iterable[Strand], frequency: str, reminders: bool) -> Choices:
        """One frequency and reminders choice for every strand, as the sign-up form makes."""
        return cls(tuple(Preference(strand, frequency, reminders) for strand in strands))

    @property
    def strands(self) -> list[Strand]:
        return [preference.strand for preference in self.preferences]

    @property
    def slugs(self) -> list[str]:
        return [strand.slug for strand in self.strands]


def active_strands() -> list[Strand]:
    return list(db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position)))


def pick_strands(slugs: Iterable[str]) -> list[Strand]:
    """Return the active strands named by slug; raise InvalidChoice for none or an unknown one."""
    return pick_from({strand.slug: strand for strand in active_strands()}, slugs)


def pick_from(by_slug: Mapping[str, Strand], slugs: Iterable[str]) -> list[Strand]:
    """pick_strands() with the active strands (in listed order) looked up once by the caller."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        raise InvalidChoice("strands", "Choose at least one strand")
    if any(slug not in by_slug for slug in wanted):
        raise InvalidChoice("strands", "Choose strands from the list")
    return [strand for slug, strand in by_slug.items() if slug in wanted]


def check_frequency(value: str | None) -> str:
    if value not in FREQUENCIES:
        raise InvalidChoice("frequency", "Choose how often you want to hear from us")
    return value


class InvalidChoices(ValueError):
    """Several fields are wrong: errors maps each field's name to what to put right."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors
