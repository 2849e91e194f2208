"""Subscribe an address: the same outcome for the visitor whatever the address's state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from notifier.delivery.outbox import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Subscriber, Subscription
from notifier.subscriptions import consent
from notifier.subscriptions.choices import Choices
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.notices import queue_already_subscribed, queue_confirmation


def subscribe(email: str, choices: Choices, origin: Origin, now: datetime) -> None:
    """Ask a normalised address to confirm, resend, or tell it it is already subscribed.

    New or unsubscribed: pending (unconfirmed), with these choices and a confirmation request.
    Pending: these choices, and the request again at most once per window.
    Confirmed: nothing changes; a note with a manage link at most once per window.
    Suppressed (bounced or complained): nothing at all.
    The caller commits; nothing is sent here, only queued.
    """
    created = db.session.execute(
        insert_ignoring_duplicates(Subscriber.__table__)
        .values(
            email=email,
            status="pending",
            frequency=choices.frequency,
            reminders=choices.reminders,
            created_at=now,
        )
        .returning(Subscriber.id)
    ).scalar()
    subscriber = db.session.scalars(select(Subscriber).where(Subscriber.email == email)).one()
    if created is not None or _reopen(subscriber):
        set_choices(subscriber, choices, now)
        consent.record(subscriber, "subscribe", origin, now)
        queue_confirmation(subscriber, now, force=True)
    elif subscriber.status == "pending":
        # Repeats with the same choices add no consent record: only a change is news.
        if not has_choices(subscriber, choices):
            set_choices(subscriber, choices, now)
            consent.record(subscriber, "subscribe", origin, now)
        queue_confirmation(subscriber, now)
    elif subscriber.status == "confirmed":
        queue_already_subscribed(subscriber, now)


def request_new_link(email: str, now: datetime) -> None:
    """Send a fresh link to a known, live address (once per window); nothing otherwise."""
    subscriber = db.session.scalars(select(Subscriber).where(Subscriber.email == email)).first()
    if subscriber is None:
        return
    if subscriber.status == "pending":
        queue_confirmation(subscriber, now)
    elif subscriber.status == "confirmed":
        queue_already_subscribed(subscriber, now)


def has_choices(subscriber: Subscriber, choices: Choices) -> bool:
    """Whether the subscriber already has exactly these strands, frequency and reminders."""
    return (
        sorted(strand.slug for strand in subscriber.strands),
        subscriber.frequency,
        subscriber.reminders,
    ) == (sorted(choices.slugs), choices.frequency, choices.reminders)


def set_choices(subscriber: Subscriber, choices: Choices, now: datetime) -> None:
    """Make the subscriber's strands, frequency and reminders exactly these."""
    subscriber.frequency = choices.frequency
    subscriber.reminders = choices.reminders
    wanted = {strand.id: strand for strand in choices.strands}
    for subscription in list(subscriber.subscriptions):
        if subscription.strand_id not in wanted:
            subscriber.subscriptions.remove(subscription)
    held = {subscription.strand_id for subscription in subscriber.subscriptions}
    for strand_id, strand in wanted.items():
        if strand_id not in held:
            subscriber.subscriptions.append(Subscription(strand=strand, created_at=now))
    db.session.flush()


def _reopen(subscriber: Subscriber) -> bool:
    """Turn an unsubscribed address back to pending; True for the one request that did.

    The old confirmation goes with it: leaving withdrew that consent, so only a new
    confirmation may make the address confirmed again (lifting a later suppression included).
    """
    if subscriber.status != "unsubscribed":
        return False
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, Subscriber.status == "unsubscribed")
        .values(status="pending", unsubscribed_at=None, confirmed_at=None, confirmed_ip=None)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 1:
        return True
    # Another request reopened it first; carry on as for a pending address.
    db.session.refresh(subscriber)
    return False
