"""Subscribe an address: the same outcome for the visitor whatever the address's state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Subscriber, Subscription
from notifier.schedules.immediate import sent_until
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
        .values(email=email, status="pending", created_at=now)
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
    """Whether the subscriber already has exactly these strands, frequencies and reminders."""
    held = {(sub.strand.slug, sub.frequency, sub.reminders) for sub in subscriber.subscriptions}
    wanted = {(p.strand.slug, p.frequency, p.reminders) for p in choices.preferences}
    return held == wanted


def set_choices(subscriber: Subscriber, choices: Choices, now: datetime) -> None:
    """Make the subscriber's strands, and each one's frequency and reminders, exactly these.

    Each strand's digest cursor is carried so that a change repeats nothing and drops nothing
    (see docs/adr/0007-per-strand-preferences.md).
    """
    wanted = {preference.strand.id: preference for preference in choices.preferences}
    for subscription in list(subscriber.subscriptions):
        if subscription.strand_id not in wanted:
            subscriber.subscriptions.remove(subscription)
    held = {subscription.strand_id: subscription for subscription in subscriber.subscriptions}
    cursor = _digest_cursor(subscriber, now)
    for strand_id, preference in wanted.items():
        subscription = held.get(strand_id)
        if subscription is None:
            subscriber.subscriptions.append(
                Subscription(
                    strand=preference.strand,
                    frequency=preference.frequency,
                    reminders=preference.reminders,
                    created_at=now,
                    digested_until=cursor,
                )
            )
            continue
        if subscription.frequency == "immediate" and preference.frequency != "immediate":
            # Everything up to the last fan-out went out one by one: the digest starts there.
            subscription.digested_until = _later(subscription.digested_until, sent_until())
        subscription.frequency = preference.frequency
        subscription.reminders = preference.reminders
    db.session.flush()


def _digest_cursor(subscriber: Subscriber, now: datetime) -> datetime | None:
    """Where a newly followed strand's digests start.

    At the subscriber's latest digest, so a general update not yet sent in a digest is still
    owed; now, for someone who gets no digest yet; None (from confirming) for a pending one.
    """
    digested = [
        sub.digested_until
        for sub in subscriber.subscriptions
        if sub.frequency != "immediate" and sub.digested_until is not None
    ]
    if digested:
        return max(digested)
    return now if subscriber.status == "confirmed" else None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((moment for moment in (a, b) if moment is not None), default=None)


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
