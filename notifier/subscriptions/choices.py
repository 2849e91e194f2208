"""What a subscriber may choose, checked the same way for the form, the API and the pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

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


# An unquoted ASCII local part (RFC 5322 dot-atom), as email_validator reads one: such a part
# it accepts unchanged up to 64 characters. Most addresses are like this, and checking them
# here with the domain's verdict remembered is some 30 times faster, which a 100,000-row
# import needs; anything else takes the full check.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def normalise_email(raw: str | None) -> str:
    """Return the address trimmed and lower-cased; raise InvalidChoice if it is not one."""
    value = (raw or "").strip()
    if not value:
        raise InvalidChoice("email", "Enter your email address")
    local, _, domain = value.rpartition("@")
    if (
        len(local) <= 64
        and _DOT_ATOM.match(local)
        and domain.isascii()
        and _checked_domain(domain) == domain.lower()
        and len(value) <= 254
    ):
        # Exactly what validate_email() would give (tests compare the two ways).
        return _checked(f"{local}@{domain.lower()}")
    return _normalise_fully(value)


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """The domain as email_validator normalises it, or None when it refuses it."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _normalise_fully(value: str) -> str:
    try:
        # No DNS lookups: they are slow, flaky, and reveal nothing we need.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidChoice(
            "email", "Enter an email address in the correct format, like name@example.com"
        ) from None
    return _checked(result.normalized)


def _checked(normalized: str) -> str:
    if len(normalized) > 320:
        raise InvalidChoice("email", "Enter an email address of 320 characters or fewer")
    if normalized.startswith(FORMULA_STARTS):
        # Legal in RFC 5322 but a formula in a spreadsheet, where lists end up.
        raise InvalidChoice("email", "Enter an email address that does not start with =, +, - or @")
    return normalized.lower()


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


# A per-strand reminders field is a checkbox after a hidden "n", so a browser always sends it
# and its last value is the answer; a plain "reminders" is a checkbox that is absent when off.
TRUE = frozenset({"y", "yes", "on", "true", "1"})
FALSE = frozenset({"", "n", "no", "off", "false", "0"})


def choices_from_fields(getlist: Callable[[str], list[str]]) -> Choices:
    """Read the form fields of the contract into Choices; raise InvalidChoices naming fields.

    `strands` lists the slugs kept; `frequency-<slug>` and `reminders-<slug>` set one strand;
    a plain `frequency` / `reminders` applies to every kept strand without a field of its own.
    """
    errors: dict[str, str] = {}
    try:
        strands = pick_strands(getlist("strands"))
    except InvalidChoice as exc:
        errors[exc.field] = exc.message
        strands = []
    plain_frequency = (getlist("frequency") or [None])[-1]
    if plain_frequency is not None:
        try:
            check_frequency(plain_frequency)
        except InvalidChoice as exc:
            errors[exc.field] = exc.message
    plain_reminders = bool(getlist("reminders")) and getlist("reminders")[-1] not in ("", "false")
    preferences = []
    for strand in strands:
        own = getlist(f"frequency-{strand.slug}")
        try:
            frequency = _own_frequency(strand, own[-1]) if own else check_frequency(plain_frequency)
        except InvalidChoice as exc:
            errors.setdefault(exc.field, exc.message)
            continue
        reminders = getlist(f"reminders-{strand.slug}")
        if not reminders:
            preferences.append(Preference(strand, frequency, plain_reminders))
        elif reminders[-1].lower() in TRUE | FALSE:
            preferences.append(Preference(strand, frequency, reminders[-1].lower() in TRUE))
        else:
            errors[f"reminders-{strand.slug}"] = (
                f"Say whether you want reminders for {strand.name}: y or n"
            )
    if errors:
        raise InvalidChoices(errors)
    return Choices(tuple(preferences))


def _own_frequency(strand: Strand, value: str) -> str:
    if value not in FREQUENCIES:
        raise InvalidChoice(
            f"frequency-{strand.slug}", f"Choose how often you want emails about {strand.name}"
        )
    return value
