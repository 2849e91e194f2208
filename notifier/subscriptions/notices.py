"""The two emails about a subscription itself, each queued at most once per window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.models import Subscriber
from notifier.models.email_kinds import already_subscribed_key, confirm_key

RESEND_WINDOW = timedelta(minutes=10)


def queue_confirmation(subscriber: Subscriber, now: datetime, *, force: bool = False) -> bool:
    """Queue the confirmation request unless one went in the last window (or force)."""
    return _queue_once_per_window(
        Subscriber.confirmation_sent_at, confirm_key, "confirm", subscriber, now, force=force
    )


def queue_already_subscribed(subscriber: Subscriber, now: datetime) -> bool:
    """Queue the "already subscribed, manage your preferences" note, once per window."""
    return _queue_once_per_window(
        Subscriber.notice_sent_at, already_subscribed_key, "already_subscribed", subscriber, now
    )


def _queue_once_per_window(
    column, key, kind: str, subscriber: Subscriber, now: datetime, *, force: bool = False
) -> bool:
    """Queue the email of this kind if this request wins the window kept in column."""
    if not _claim_window(column, subscriber, now, force=force):
        return False
    return enqueue(
        key(subscriber.id, now), kind, subscriber.email, subscriber_id=subscriber.id, now=now
    )


def _claim_window(column, subscriber: Subscriber, now: datetime, *, force: bool = False) -> bool:
    """Move the window's start to now if it has passed; True for the one request that did.

    A compare-and-set in one UPDATE: concurrent requests for one address queue behind the
    row lock and re-check the condition, so only one of them wins each window. The outbox
    key then names the window it won, so that email is queued once.
    """
    conditions = [Subscriber.id == subscriber.id]
    if not force:
        conditions.append(or_(column.is_(None), column <= now - RESEND_WINDOW))
    result = db.session.execute(
        update(Subscriber)
        .where(*conditions)
        .values({column.key: now})
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1
