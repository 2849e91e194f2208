"""Take in bounce and complaint reports, from an MTA pipe or a relay's webhook, and act on them."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from notifier.bounces.reports import BounceReport, ReportError, parse_report
from notifier.bounces.suppression import KINDS, record_bounce
from notifier.extensions import db
from notifier.mail.message import sender_domain
from notifier.models import Bounce, Outbox

__all__ = ["ReportError", "ingest_report", "record_reports", "reports_from_json"]


def ingest_report(raw: bytes, now: datetime, source: str = "dsn") -> list[Bounce]:
    """Parse one DSN or ARF message and record what it says; raise ReportError, changing nothing."""
    settings = current_app.config["NOTIFIER"]
    reports = parse_report(raw, settings.verp_return_path, sender_domain(settings.mail_from))
    return record_reports(reports, now, source)


def record_reports(reports: list[BounceReport], now: datetime, source: str) -> list[Bounce]:
    """Record every report in one transaction: all of them or, on error, none."""
    bounces = []
    for report in reports:
        row = db.session.get(Outbox, report.outbox_id) if report.outbox_id else None
        # With VERP the report names the row we sent: its address is the subscriber's, even
        # when the report's Final-Recipient is where the mail was forwarded to.
        address = row.to_address if row is not None else report.email
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
    db.session.commit()
    return bounces


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
