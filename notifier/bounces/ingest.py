"""Take in bounce and complaint reports, from an MTA pipe or a relay's webhook, and act on them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from notifier.bounces.reports import BounceReport, ReportError, parse_report
from notifier.bounces.suppression import KINDS, record_bounce
from notifier.delivery.tracking import tracking_from
from notifier.extensions import db
from notifier.models import Bounce, Outbox, Subscriber
from notifier.settings import current_settings

log = logging.getLogger(__name__)

# A report that cannot prove which row it is about counts only for an address we mailed this
# recently: MTAs give up on a message within days, and complaints come within weeks.
RECENTLY_MAILED = timedelta(days=30)

__all__ = ["ReportError", "ingest_report", "record_reports", "reports_from_json"]


def ingest_report(raw: bytes, now: datetime, source: str = "dsn") -> list[Bounce]:
    """Parse one DSN or ARF message and record what it says; raise ReportError, changing nothing."""
    reports = parse_report(raw, tracking_from(current_settings()))
    return record_reports(reports, now, source, vouched=False)


def record_reports(
    reports: list[BounceReport], now: datetime, source: str, vouched: bool = True
) -> list[Bounce]:
    """Record every report in the caller's transaction: all of them or, on error, none.

    vouched: the sender is one we trust to name addresses (the relay's authenticated webhook).
    Otherwise anyone could have mailed the report, and one that does not name a row by our
    signed marks is taken only for an address we mailed recently; ReportError when nothing is
    left to act on.
    """
    bounces = []
    ignored = []
    for report in reports:
        row = db.session.get(Outbox, report.outbox_id) if report.outbox_id else None
        # A verified mark names the row we sent: its address is the subscriber's, even when
        # the report's Final-Recipient is where the mail was forwarded to.
        address = row.to_address if row is not None else report.email
        if row is None and not vouched and not _mailed_recently(address, now):
            ignored.append(address)
            continue
        bounces.append(
            record_bounce(
                address,
                report.kind,
                now,
                status_code=report.status_code,
                diagnostic=report.diagnostic,
                source=source,
                outbox_id=row.id if row is not None else None,
            )
        )
    if ignored:
        log.warning("ignored a report about %s: not mailed in the last 30 days", ignored)
    if ignored and not bounces:
        raise ReportError(
            f"it names no message of ours and no address we mailed in the last "
            f"{RECENTLY_MAILED.days} days ({', '.join(ignored)})"
        )
    db.session.flush()
    return bounces


def _mailed_recently(address: str, now: datetime) -> bool:
    # Through the subscriber: both lookups are by an index, however long the outbox is.
    return (
        db.session.scalar(
            select(Outbox.id)
            .join(Subscriber, Subscriber.id == Outbox.subscriber_id)
            .where(
                Subscriber.email == address.strip().lower(),
                Outbox.status == "sent",
                Outbox.sent_at >= now - RECENTLY_MAILED,
            )
            .limit(1)
        )
        is not None
    )


def reports_from_json(body) -> list[BounceReport]:
    """Validate a webhook's JSON: one {email, type, diagnostic} object or a list of them."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise ReportError("the body holds no bounce")
    reports = []
    for number, item in enumerate(items, 1):
        where = f"bounce {number}" if isinstance(body, list) else "the bounce"
        if not isinstance(item, dict):
            raise ReportError(f"{where} must be an object with email and type")
        address, kind = item.get("email"), item.get("type")
        if not isinstance(address, str) or "@" not in address or len(address) > 320:
            raise ReportError(f"{where} needs an email address in 'email'")
        if kind not in KINDS:
            raise ReportError(f"{where} needs 'type': one of {', '.join(KINDS)}")
        diagnostic = item.get("diagnostic")
        if diagnostic is not None and not isinstance(diagnostic, str):
            raise ReportError(f"{where} has a 'diagnostic' that is not text")
        reports.append(BounceReport(address.strip().lower(), kind, None, diagnostic))
    return reports
