"""Import and export subscribers as CSV, for moving a list in or out of notifier."""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import ConsentRecord, Strand, Subscriber, Subscription
from notifier.models.people import STATUSES
from notifier.moments import BadMoment, parse_moment
from notifier.subscriptions import consent
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    Preference,
    check_frequency,
    normalise_email,
    pick_strands,
)
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.csv_cells import guard, unguard
from notifier.subscriptions.erase import REFUSAL, is_erased
from notifier.subscriptions.subscribe import set_choices, subscribe
from notifier.subscriptions.unsubscribe import cancel_queued

COLUMNS = ["email", "strands", "frequency", "reminders", "consent_at", "consent_source"]
# What an export adds, so that importing it elsewhere recreates each person exactly as they
# were: the status with the moments and reason behind it, and where the consent came from.
STATE_COLUMNS = ["status", "confirmed_at", "unsubscribed_at", "suppressed_at", "suppressed_reason"]
EXPORT_COLUMNS = [*COLUMNS, "status", "confirmed_at", "consent_ip", *STATE_COLUMNS[2:]]
BOOLEANS = {"true": True, "false": False}
DEPARTED = ("unsubscribed", "suppressed")


class BadImport(Exception):
    """The file cannot be imported; lines holds one message per bad line."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class State:
    """A status carried over from an export, with the moments and reason behind it."""

    status: str
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    suppressed_at: datetime | None
    suppressed_reason: str | None


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    choices: Choices
    consent_at: datetime | None
    consent_source: str | None
    consent_ip: str | None = None
    # None for a row without a status: consent fields then decide, as for any list.
    state: State | None = None


@dataclass
class ImportReport:
    confirmed: int = 0
    awaiting_confirmation: int = 0
    departed: int = 0
    skipped: int = 0


def read_rows(text: str, now: datetime) -> list[Row]:
    """Parse and check every row; raise BadImport naming each bad line, keeping nothing."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in EXPORT_COLUMNS]
    if missing or unknown:
        problems = [f"missing column {name!r}" for name in missing]
        problems += [f"unknown column {name!r}" for name in unknown]
        raise BadImport([f"line 1: {', '.join(problems)} (expected {','.join(COLUMNS)})"])
    rows, errors, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        try:
            row = _read_row(line, record, now)
        except InvalidChoice as exc:
            errors.append(f"line {line}: {exc.field}: {exc.message}")
            continue
        if is_erased(row.email):
            errors.append(f"line {line}: email: {row.email} {REFUSAL}")
            continue
        if row.email in seen:
            errors.append(f"line {line}: email: {row.email} is also on line {seen[row.email]}")
            continue
        seen[row.email] = line
        rows.append(row)
    if errors:
        raise BadImport(errors)
    if not rows:
        raise BadImport(["the file has no subscriber rows"])
    return rows


def _read_row(line: int, record: dict, now: datetime) -> Row:
    if None in record:
        raise InvalidChoice("row", "has more fields than the header")
    value = {key: unguard((record.get(key) or "").strip()).strip() for key in EXPORT_COLUMNS}
    email = normalise_email(value["email"])
    strands = pick_strands(slug.strip() for slug in value["strands"].split(";") if slug.strip())
    frequencies = per_strand(value["frequency"], strands, "frequency", check_frequency, "daily")
    reminders = per_strand(value["reminders"], strands, "reminders", _boolean, True)
    consent_at, source = value["consent_at"], value["consent_source"]
    if bool(consent_at) != bool(source):
        raise InvalidChoice("consent", "give both consent_at and consent_source, or neither")
    state = _read_state(value, now)
    if state is not None and state.status == "confirmed" and not consent_at:
        raise InvalidChoice("consent", "a confirmed row needs consent_at and consent_source")
    return Row(
        line=line,
        email=email,
        choices=Choices(
            tuple(Preference(s, frequencies[s.slug], reminders[s.slug]) for s in strands)
        ),
        consent_at=_moment("consent_at", consent_at, now),
        consent_source=source or None,
        consent_ip=_ip(value["consent_ip"]) if consent_at else None,
        state=state,
    )


def per_strand(text: str, strands: list[Strand], column: str, read, default) -> dict:
    """Read a column that holds one value for all the row's strands, or one per strand.

    "weekly" is every strand weekly; "fraud-error-debt=immediate;research-statistics=weekly"
    sets each; "weekly;fraud-error-debt=immediate" is weekly but for that strand. Empty: the
    default for all.
    """
    slugs = [strand.slug for strand in strands]
    plain, own = None, {}
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        slug, named, raw = (part.strip() for part in item.rpartition("="))
        if not named:
            if plain is not None:
                raise InvalidChoice(column, f"give one value for all strands at most, not {text!r}")
            plain = read(raw)
        elif slug not in slugs:
            raise InvalidChoice(column, f"{slug!r} is not one of this row's strands")
        elif slug in own:
            raise InvalidChoice(column, f"{slug} is given twice")
        else:
            own[slug] = read(raw)
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
        moment = parse_moment(text, current_app.config["NOTIFIER"].tz)
    except BadMoment as exc:
        raise InvalidChoice(field, str(exc)) from None
    if moment > now:
        raise InvalidChoice(field, f"{text} is in the future")
    return moment


def _ip(text: str) -> str | None:
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InvalidChoice("consent_ip", f"{text!r} is not an IP address") from None


def import_rows(rows: list[Row], now: datetime) -> ImportReport:
    """Add the rows in the caller's transaction.

    A row's status, when it has one (an export's rows do), is kept: unsubscribed and
    suppressed people arrive as they were and are sent nothing; pending ones are asked to
    confirm. Without a status, rows with consent arrive confirmed and the others are asked to
    confirm. An address that is already confirmed, has unsubscribed or is suppressed is left
    as it is: an old list must not override a later choice to leave, nor a bounce.
    """
    report = ImportReport()
    for row in rows:
        existing = db.session.scalar(select(Subscriber).where(Subscriber.email == row.email))
        status = row.state.status if row.state else None
        if existing is not None and existing.status != "pending":
            report.skipped += 1
        elif status in DEPARTED:
            _add_departed(existing, row, now)
            report.departed += 1
        elif status == "pending" or row.consent_at is None:
            subscribe(row.email, row.choices, Origin(None, None, "import"), now)
            _keep_evidence(_find(row.email), row)
            report.awaiting_confirmation += 1
        else:
            subscriber = _add(existing, row, now)
            subscriber.status = "confirmed"
            subscriber.confirmed_at = (row.state and row.state.confirmed_at) or row.consent_at
            report.confirmed += 1
    return report


def _add_departed(subscriber: Subscriber | None, row: Row, now: datetime) -> None:
    """Keep someone who left or bounced exactly as the file says: never revived, never mailed."""
    state = row.state
    if subscriber is not None:
        # Pending here, gone there: stop the confirmation requests already queued.
        cancel_queued(subscriber, f"imported as {state.status}")
    subscriber = _add(subscriber, row, now)
    subscriber.status = state.status
    subscriber.confirmed_at = state.confirmed_at
    subscriber.unsubscribed_at = state.unsubscribed_at or (
        now if state.status == "unsubscribed" else None
    )
    if state.status == "suppressed":
        subscriber.suppressed_at = state.suppressed_at or now
        subscriber.suppressed_reason = state.suppressed_reason or "suppressed in the imported list"


def _add(subscriber: Subscriber | None, row: Row, now: datetime) -> Subscriber:
    if subscriber is None:
        subscriber = Subscriber(email=row.email, created_at=now)
        db.session.add(subscriber)
        db.session.flush()
    set_choices(subscriber, row.choices, now)
    _keep_evidence(subscriber, row)
    return subscriber


def _keep_evidence(subscriber: Subscriber, row: Row) -> None:
    """Carry the row's proof of consent over as an import record dated when it was given."""
    if row.consent_at is not None:
        origin = Origin(row.consent_ip, None, row.consent_source)
        consent.record(subscriber, "import", origin, row.consent_at)


def _find(email: str) -> Subscriber:
    return db.session.scalars(select(Subscriber).where(Subscriber.email == email)).one()


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
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: guard(value) for key, value in row.items()} for row in rows)
