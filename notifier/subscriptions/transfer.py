"""Import and export subscribers as CSV, for moving a list in or out of notifier."""

from __future__ import annotations

import csv
import io
import ipaddress
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import ConsentRecord, Strand, Subscriber, Subscription
from notifier.models.people import STATUSES
from notifier.moments import BadMoment, parse_moment
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    Preference,
    check_frequency,
    normalise_email,
    pick_from,
)
from notifier.subscriptions.csv_cells import guard, unguard

COLUMNS = ["email", "strands", "frequency", "reminders", "consent_at", "consent_source"]
# What an export adds, so that importing it elsewhere recreates each person exactly as they
# were: the status with the moments and reason behind it, and where the consent came from.
STATE_COLUMNS = ["status", "confirmed_at", "unsubscribed_at", "suppressed_at", "suppressed_reason"]
EXPORT_COLUMNS = [*COLUMNS, "status", "confirmed_at", "consent_ip", *STATE_COLUMNS[2:]]
BOOLEANS = {"true": True, "false": False}
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
    email = normalise_email(_cell(get("email")))
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
    slugs = (slug.strip() for slug in _cell(strands_text).split(";") if slug.strip())
    chosen = pick_from(strands, slugs)
    frequencies = per_strand(_cell(frequency_text), chosen, "frequency", check_frequency, "daily")
    reminders = per_strand(_cell(reminders_text), chosen, "reminders", _boolean, True)
    return Choices(tuple(Preference(s, frequencies[s.slug], reminders[s.slug]) for s in chosen))


def _read_consent(*cells) -> tuple[datetime | None, str | None, State | None]:
    """The consent moment, source and state of a row, checked in the order a row reports."""
    now = cells[-1]
    value = dict(zip(CONSENT_CELLS, map(_cell, cells[:-1]), strict=True))
    consent_at, source = value["consent_at"], value["consent_source"]
    if bool(consent_at) != bool(source):
        raise InvalidChoice("consent", "give both consent_at and consent_source, or neither")
    if len(source) > 200:
        raise InvalidChoice("consent_source", "must be 200 characters or fewer")
    state = _read_state(value, now)
    if state is not None and state.status == "confirmed" and not consent_at:
        raise InvalidChoice("consent", "a confirmed row needs consent_at and consent_source")
    return _moment("consent_at", consent_at, now), source or None, state


def _read_ip(text: str | None) -> str | None:
    return _ip(_cell(text))


CONSENT_CELLS = (
    "consent_at",
    "consent_source",
    "status",
    "confirmed_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
)


def _cell(text: str | None) -> str:
    if not text:
        return ""
    text = text.strip()
    return unguard(text).strip() if text.startswith("'") else text


def per_strand(text: str, strands: list[Strand], column: str, read, default) -> dict:
    """Read a column that holds one value for all the row's strands, or one per strand.

    "weekly" is every strand weekly; "fraud-error-debt=immediate;research-statistics=weekly"
    sets each; "weekly;fraud-error-debt=immediate" is weekly but for that strand. Empty: the
    default for all.
    """
    slugs = [strand.slug for strand in strands]
    if "=" not in text and ";" not in text:
        # One value for every strand, as most lists have it.
        value = read(text) if text else default
        return dict.fromkeys(slugs, value)
    plain, own = None, {}
    for item in text.split(";"):
        slug, named, raw = item.rpartition("=")
        if not named:
            raw = raw.strip()
            if not raw:
                continue
            if plain is not None:
                raise InvalidChoice(column, f"give one value for all strands at most, not {text!r}")
            plain = read(raw)
            continue
        slug = slug.strip()
        if slug not in slugs:
            raise InvalidChoice(column, f"{slug!r} is not one of this row's strands")
        if slug in own:
            raise InvalidChoice(column, f"{slug} is given twice")
        own[slug] = read(raw.strip())
    fallback = default if plain is None else plain
    return {slug: own.get(slug, fallback) for slug in slugs}


def write_per_strand(values: list[tuple[str, str]]) -> str:
    """The column text for (slug, value) pairs: one plain value when every strand agrees."""
    distinct = {value for _, value in values}
    if len(distinct) == 1:
        return distinct.pop()
    return ";".join(f"{slug}={value}" for slug, value in values)


def _boolean(text: str) -> bool:
    if text.lower() not in BOOLEANS:
        raise InvalidChoice("reminders", f"must be true or false, not {text!r}")
    return BOOLEANS[text.lower()]


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
        confirmed_at=_moment("confirmed_at", value["confirmed_at"], now),
        unsubscribed_at=_moment("unsubscribed_at", value["unsubscribed_at"], now),
        suppressed_at=_moment("suppressed_at", value["suppressed_at"], now),
        suppressed_reason=reason or None,
    )


def _moment(field: str, text: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        # Exports always carry an offset; a hand-written time without one is local, as elsewhere.
        moment = _parsed(text, current_app.config["NOTIFIER"].tz)
    except BadMoment as exc:
        raise InvalidChoice(field, str(exc)) from None
    if moment > now:
        raise InvalidChoice(field, f"{text} is in the future")
    return moment


@lru_cache(maxsize=4096)
def _parsed(text: str, zone) -> datetime:
    # A list's rows share a few consent dates: each is read once.
    return parse_moment(text, zone)


def _ip(text: str) -> str | None:
    if not text:
        return None
    try:
        # A dotted quad already written the way ipaddress would write it (the common case):
        # inet_pton is many times faster, and refuses what ipaddress refuses.
        if socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, text)) == text:
            return text
    except OSError:
        pass
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InvalidChoice("consent_ip", f"{text!r} is not an IP address") from None


def export_rows() -> Iterator[dict]:
    """Every subscriber with the consent that stands behind them, paged by id."""
    last_id = 0
    while True:
        page = list(
            db.session.scalars(
                select(Subscriber)
                .options(selectinload(Subscriber.subscriptions).joinedload(Subscription.strand))
                .where(Subscriber.id > last_id)
                .order_by(Subscriber.id)
                .limit(500)
            )
        )
        if not page:
            return
        evidence = _latest_consent([subscriber.id for subscriber in page])
        for subscriber in page:
            record = evidence.get(subscriber.id)
            yield {
                "email": subscriber.email,
                "strands": ";".join(sub.strand.slug for sub in subscriber.preferences),
                "frequency": write_per_strand(
                    [(sub.strand.slug, sub.frequency) for sub in subscriber.preferences]
                ),
                "reminders": write_per_strand(
                    [
                        (sub.strand.slug, "true" if sub.reminders else "false")
                        for sub in subscriber.preferences
                    ]
                ),
                "consent_at": _iso(record.created_at) if record else "",
                "consent_source": record.source if record else "",
                "status": subscriber.status,
                "confirmed_at": _iso(subscriber.confirmed_at),
                "consent_ip": (record.ip if record else None) or subscriber.confirmed_ip or "",
                "unsubscribed_at": _iso(subscriber.unsubscribed_at),
                "suppressed_at": _iso(subscriber.suppressed_at),
                "suppressed_reason": subscriber.suppressed_reason or "",
            }
        last_id = page[-1].id
        db.session.expunge_all()


def _latest_consent(subscriber_ids: list[int]) -> dict[int, ConsentRecord]:
    """The latest confirm or import record behind each subscriber: the proof of consent."""
    records = db.session.scalars(
        select(ConsentRecord)
        .where(
            ConsentRecord.subscriber_id.in_(subscriber_ids),
            ConsentRecord.action.in_(("confirm", "import")),
        )
        .order_by(ConsentRecord.created_at)
    )
    return {record.subscriber_id: record for record in records}


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def write_csv(rows, out) -> None:
    """Write rows as CSV, every cell safe to open in a spreadsheet."""
    for chunk in csv_chunks(rows):
        out.write(chunk)


def csv_chunks(rows, every: int = 500) -> Iterator[str]:
    """The CSV text of rows, a few hundred rows at a time, for streaming it out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        writer.writerow({key: guard(value) for key, value in row.items()})
        if number % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
