"""Import and export subscribers as CSV, for moving a list in or out of notifier."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import ConsentRecord, Strand, Subscriber, Subscription
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
from notifier.subscriptions.subscribe import set_choices, subscribe

COLUMNS = ["email", "strands", "frequency", "reminders", "consent_at", "consent_source"]
EXPORT_COLUMNS = [*COLUMNS, "status", "confirmed_at", "consent_ip"]
BOOLEANS = {"true": True, "false": False}


class BadImport(Exception):
    """The file cannot be imported; lines holds one message per bad line."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    choices: Choices
    consent_at: datetime | None
    consent_source: str | None


@dataclass
class ImportReport:
    confirmed: int = 0
    awaiting_confirmation: int = 0
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
    value = {key: (record.get(key) or "").strip() for key in COLUMNS}
    email = normalise_email(value["email"])
    strands = pick_strands(slug.strip() for slug in value["strands"].split(";") if slug.strip())
    frequencies = per_strand(value["frequency"], strands, "frequency", check_frequency, "daily")
    reminders = per_strand(value["reminders"], strands, "reminders", _boolean, True)
    consent_at, source = value["consent_at"], value["consent_source"]
    if bool(consent_at) != bool(source):
        raise InvalidChoice("consent", "give both consent_at and consent_source, or neither")
    return Row(
        line=line,
        email=email,
        choices=Choices(
            tuple(Preference(s, frequencies[s.slug], reminders[s.slug]) for s in strands)
        ),
        consent_at=_moment(consent_at, now) if consent_at else None,
        consent_source=source or None,
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


def _moment(text: str, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidChoice("consent_at", f"{text!r} is not an ISO 8601 date and time") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment > now:
        raise InvalidChoice("consent_at", f"{text} is in the future")
    return moment


def import_rows(rows: list[Row], now: datetime) -> ImportReport:
    """Add the rows in the caller's transaction.

    Rows with consent arrive confirmed; the others are asked to confirm. An address that is
    already confirmed, has unsubscribed or is suppressed is left as it is: an old list must
    not override a later choice to leave, nor a bounce.
    """
    report = ImportReport()
    for row in rows:
        existing = db.session.scalar(select(Subscriber).where(Subscriber.email == row.email))
        if existing is not None and existing.status != "pending":
            report.skipped += 1
        elif row.consent_at is None:
            subscribe(row.email, row.choices, Origin(None, None, "import"), now)
            report.awaiting_confirmation += 1
        else:
            _add_confirmed(existing, row, now)
            report.confirmed += 1
    return report


def _add_confirmed(subscriber: Subscriber | None, row: Row, now: datetime) -> None:
    if subscriber is None:
        subscriber = Subscriber(email=row.email, created_at=now)
        db.session.add(subscriber)
    subscriber.status = "confirmed"
    subscriber.confirmed_at = row.consent_at
    db.session.flush()
    set_choices(subscriber, row.choices, now)
    consent.record(subscriber, "import", Origin(None, None, row.consent_source), row.consent_at)


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
            }
        last_id = page[-1].id
        db.session.expunge_all()


def _latest_consent(subscriber_ids: list[int]) -> dict[int, ConsentRecord]:
    """The confirm or import record behind each confirmed subscriber: the proof of consent."""
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
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
