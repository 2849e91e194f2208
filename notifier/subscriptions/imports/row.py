"""One row of an import: what it holds once checked, and the checking of its CSV record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from notifier.models import Strand
from notifier.models.people import STATUSES
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    Preference,
    check_frequency,
    pick_from,
)
from notifier.subscriptions.csv_columns import per_strand
from notifier.subscriptions.email_address import normalise_email
from notifier.subscriptions.imports.fields import boolean, cell, ip_address, moment

DEPARTED = ("unsubscribed", "suppressed")


@dataclass(slots=True)
class State:
    """A status carried over from an export, with the moments and reason behind it."""

    status: str
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    suppressed_at: datetime | None
    suppressed_reason: str | None


@dataclass(slots=True)
class Row:
    line: int
    email: str
    choices: Choices
    consent_at: datetime | None
    consent_source: str | None
    consent_ip: str | None = None
    # None for a row without a status: consent fields then decide, as for any list.
    state: State | None = None


class Memo:
    """What one file's rows share, each distinct text read once (a row's checks are pure).

    A list's rows repeat a few strand choices, consent dates and states; reading each
    distinct text once instead of once a row is most of the speed of a large import. Bounded,
    so a file of all-different values keeps memory flat. For one file: one `now`, one set
    of strands.
    """

    SIZE = 4096

    def __init__(self, now: datetime, strands: Mapping[str, Strand]) -> None:
        self.now = now
        self.strands = strands
        self.choices: dict = {}
        self.consent: dict = {}
        self.ips: dict = {}

    def get(self, table: dict, key: tuple, work, *given):
        """work(*key, *given), remembered by key; a refusal is remembered and raised anew."""
        try:
            found = table[key]
        except KeyError:
            try:
                found = work(*key, *given)
            except InvalidChoice as exc:
                found = _Refusal(exc.field, exc.message)
            if len(table) >= self.SIZE:
                table.clear()
            table[key] = found
        if type(found) is _Refusal:
            raise InvalidChoice(found.field, found.message)
        return found


@dataclass(slots=True, frozen=True)
class _Refusal:
    field: str
    message: str


def read_row(
    line: int,
    record: dict,
    now: datetime,
    strands: Mapping[str, Strand],
    memo: Memo | None = None,
) -> Row:
    """Check one CSV record; raise InvalidChoice naming the field that is wrong.

    strands: the active strands by slug, in listed order, looked up once per file; memo:
    what earlier rows of the same file (same now and strands) have read already.
    """
    if None in record:
        raise InvalidChoice("row", "has more fields than the header")
    if memo is None or memo.now is not now or memo.strands is not strands:
        memo = Memo(now, strands)
    get = record.get
    email = normalise_email(cell(get("email")))
    choices = memo.get(
        memo.choices,
        (get("strands"), get("frequency"), get("reminders")),
        _read_choices,
        strands,
    )
    consent_at, source, state = memo.get(
        memo.consent,
        (
            get("consent_at"),
            get("consent_source"),
            get("status"),
            get("confirmed_at"),
            get("unsubscribed_at"),
            get("suppressed_at"),
            get("suppressed_reason"),
        ),
        _read_consent,
        now,
    )
    ip = memo.get(memo.ips, (get("consent_ip"),), _read_ip) if consent_at else None
    return Row(line, email, choices, consent_at, source, ip, state)


def _read_choices(strands_text, frequency_text, reminders_text, strands) -> Choices:
    slugs = (slug.strip() for slug in cell(strands_text).split(";") if slug.strip())
    chosen = pick_from(strands, slugs)
    frequencies = per_strand(cell(frequency_text), chosen, "frequency", check_frequency, "daily")
    reminders = per_strand(cell(reminders_text), chosen, "reminders", boolean, True)
    return Choices(tuple(Preference(s, frequencies[s.slug], reminders[s.slug]) for s in chosen))


def _read_consent(*cells) -> tuple[datetime | None, str | None, State | None]:
    """The consent moment, source and state of a row, checked in the order a row reports."""
    now = cells[-1]
    value = dict(zip(CONSENT_CELLS, map(cell, cells[:-1]), strict=True))
    consent_at, source = value["consent_at"], value["consent_source"]
    if bool(consent_at) != bool(source):
        raise InvalidChoice("consent", "give both consent_at and consent_source, or neither")
    if len(source) > 200:
        raise InvalidChoice("consent_source", "must be 200 characters or fewer")
    state = _read_state(value, now)
    if state is not None and state.status == "confirmed" and not consent_at:
        raise InvalidChoice("consent", "a confirmed row needs consent_at and consent_source")
    return moment("consent_at", consent_at, now), source or None, state


def _read_ip(text: str | None) -> str | None:
    return ip_address(cell(text))


CONSENT_CELLS = (
    "consent_at",
    "consent_source",
    "status",
    "confirmed_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
)


def _read_state(value: dict[str, str], now: datetime) -> State | None:
    status = value["status"].lower()
    if not status:
        return None
    if status not in STATUSES:
        raise InvalidChoice("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    reason = value["suppressed_reason"]
    if len(reason) > 200:
        raise InvalidChoice("suppressed_reason", "must be 200 characters or fewer")
    return State(
        status=status,
        confirmed_at=moment("confirmed_at", value["confirmed_at"], now),
        unsubscribed_at=moment("unsubscribed_at", value["unsubscribed_at"], now),
        suppressed_at=moment("suppressed_at", value["suppressed_at"], now),
        suppressed_reason=reason or None,
    )
