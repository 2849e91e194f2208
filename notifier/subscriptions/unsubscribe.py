"""Leave the list: stop every email, and make every link sent before stop working."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from notifier.extensions import db
from notifier.models import Outbox, Subscriber
from notifier.subscriptions import consent
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.tokens import TokenError, read_token


def unsubscribe(subscriber: Subscriber, origin: Origin, now: datetime) -> bool:
    """Unsubscribe; return False when already unsubscribed (repeating is harmless)."""
    # A suppressed address already gets nothing; it stays suppressed, as a bounce or a
    # complaint outranks this.
    if subscriber.status in ("unsubscribed", "suppressed"):
        return False
    subscriber.status = "unsubscribed"
    subscriber.unsubscribed_at = now
    subscriber.token_version += 1
    consent.record(subscriber, "unsubscribe", origin, now)
    cancel_queued(subscriber, "unsubscribed")
    return True


def cancel_queued(subscriber: Subscriber, reason: str) -> None:
    """Cancel the subscriber's emails that are queued but not yet picked up by a worker."""
    db.session.execute(
        update(Outbox)
        .where(
            Outbox.subscriber_id == subscriber.id,
            Outbox.status == "queued",
            Outbox.claimed_by.is_(None),
        )
        .values(status="cancelled", last_error=reason)
    )


def subscriber_leaving(token: str) -> Subscriber:
    """The subscriber an unsubscribe token names, even one already unsubscribed by it.

    Unsubscribing bumps the token version, so a repeated one-click POST carries an old
    version: for an address that is still unsubscribed that is a harmless repeat, not a replay.
    Raise TokenError for anything else.
    """
    data = read_token("unsubscribe", token)
    subscriber = db.session.get(Subscriber, data.subscriber_id)
    if subscriber is None or data.version > subscriber.token_version:
        raise TokenError("invalid")
    if data.version < subscriber.token_version and subscriber.status != "unsubscribed":
        raise TokenError("replayed")
    return subscriber
