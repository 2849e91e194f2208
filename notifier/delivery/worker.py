"""Claim due outbox rows, render and send them, and record what the server said."""

from __future__ import annotations

import logging
import os
import random
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from notifier.emails import render
from notifier.extensions import db
from notifier.mail.backends import MailBackend, PermanentFailure, TemporaryFailure
from notifier.mail.message import build, sender_domain
from notifier.models import Outbox, Subscriber

log = logging.getLogger(__name__)


@dataclass
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __iadd__(self, other: Tally) -> Tally:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        return self


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(now: datetime, worker: str, limit: int, lease_seconds: int) -> list[int]:
    """Take a lease on up to limit due rows; an expired lease is anyone's to take."""
    due = (
        select(Outbox.id)
        .where(
            Outbox.status == "queued",
            Outbox.next_attempt_at <= now,
            or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),
        )
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # Concurrent workers skip each other's rows instead of queueing behind them.
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return []
    # The guard in WHERE makes the claim safe on SQLite too, where there is no SKIP LOCKED:
    # a row another worker leased in the meantime is simply not updated.
    claimed = db.session.execute(
        update(Outbox)
        .where(
            Outbox.id.in_(ids),
            Outbox.status == "queued",
            or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),
        )
        .values(claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(Outbox.id)
    )
    ids = sorted(claimed.scalars())
    db.session.commit()
    return ids


def deliver_due(backend: MailBackend, now: datetime, worker: str | None = None) -> Tally:
    """Send every row due at now, batch by batch, then return what happened."""
    settings = current_app.config["NOTIFIER"]
    worker = worker or worker_name()
    tally = Tally()
    while ids := claim(now, worker, settings.mail_batch_size, settings.mail_lease_seconds):
        for row_id in ids:
            tally += deliver_one(backend, row_id, now, worker)
    return tally


def deliver_one(backend: MailBackend, row_id: int, now: datetime, worker: str) -> Tally:
    """Send one claimed row and record the outcome in its own transaction."""
    settings = current_app.config["NOTIFIER"]
    row = db.session.get(Outbox, row_id)
    if row is None or row.claimed_by != worker or row.status != "queued":
        return Tally()
    subscriber = db.session.get(Subscriber, row.subscriber_id) if row.subscriber_id else None
    if subscriber is not None and subscriber.status == "suppressed":
        _finish(row, "cancelled", error="address suppressed")
        return Tally()
    domain = sender_domain(settings.mail_from)
    message_id = row.message_id or f"<{row.id}.{row.key.replace(':', '.')}@{domain}>"
    try:
        message = build(
            render(row),
            mail_from=settings.mail_from,
            list_id=settings.list_id,
            message_id=message_id,
            when=now,
            unsubscribe_mailto=settings.list_unsubscribe_mailto,
        ).as_bytes()
    except Exception as exc:
        log.exception("outbox %s could not be rendered", row.id)
        _finish(row, "failed", error=f"render: {exc.__class__.__name__}: {exc}")
        return Tally(failed=1)
    if len(message) > settings.mail_max_bytes:
        _finish(row, "failed", error=f"message is {len(message)} bytes, over the limit")
        return Tally(failed=1)
    row.message_id = message_id
    row.attempts += 1
    db.session.commit()
    try:
        result = backend.send(_envelope_from(settings, row), row.to_address, message)
    except PermanentFailure as exc:
        _finish(row, "failed", error=str(exc), reply=str(exc))
        return Tally(failed=1)
    except TemporaryFailure as exc:
        return _retry(row, now, str(exc), settings.mail_retry_hours)
    row.sent_at = now
    row.smtp_reply = result.reply
    row.queue_id = result.queue_id
    _finish(row, "sent")
    return Tally(sent=1)


def _envelope_from(settings, row: Outbox) -> str:
    from email.utils import parseaddr

    if settings.verp_return_path:
        local, _, domain = settings.verp_return_path.partition("@")
        return f"{local}+{row.id}@{domain}"
    return parseaddr(settings.mail_from)[1]


def _retry(row: Outbox, now: datetime, error: str, retry_hours: int) -> Tally:
    if now - row.created_at > timedelta(hours=retry_hours):
        _finish(row, "failed", error=f"gave up after {row.attempts} attempts: {error}")
        return Tally(failed=1)
    # Exponential backoff from one minute, capped at an hour, with jitter so a
    # recovering relay is not hit by every retry at once.
    delay = min(60 * 2 ** (row.attempts - 1), 3600) * random.uniform(0.8, 1.2)
    row.next_attempt_at = now + timedelta(seconds=delay)
    row.last_error = error
    row.claimed_by = None
    row.lease_until = None
    db.session.commit()
    return Tally(retried=1)


def _finish(row: Outbox, status: str, *, error: str | None = None, reply: str | None = None):
    row.status = status
    row.last_error = error
    if reply:
        row.smtp_reply = reply
    row.claimed_by = None
    row.lease_until = None
    db.session.commit()
