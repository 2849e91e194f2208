"""Export subscribers as CSV, in the format an import reads, for moving a list out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber, Subscription
from notifier.subscriptions.csv_cells import guard
from notifier.subscriptions.csv_columns import EXPORT_COLUMNS, write_per_strand


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
