"""Factories for the rows the schedules read: feeds, updates, deadlines, confirmed subscribers."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Deadline, Feed, Outbox, Strand, Subscriber, Subscription, Update

_serial = itertools.count(1)


def at(value: str) -> datetime:
    """An ISO moment; without an offset it means UTC."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def strand(slug: str) -> Strand:
    return db.session.scalar(select(Strand).where(Strand.slug == slug))


def feed() -> Feed:
    row = db.session.scalar(select(Feed))
    if row is None:
        row = Feed(url="http://feed.test/updates.xml", baselined=True)
        db.session.add(row)
        db.session.commit()
    return row


def make_update(
    title: str,
    stored: str,
    strands: tuple[str, ...] = (),
    *,
    baseline: bool = False,
    text: str = "",
    deadline: str | None = None,
) -> Update:
    """An update stored at a moment, in some strands (none: general), maybe with a deadline."""
    n = next(_serial)
    update = Update(
        feed_id=feed().id,
        guid=f"guid-{n}",
        link=f"https://policy.example.org/updates/{n}",
        title=title,
        content_text=text or "The working group has published a short note for comment.",
        content_html="",
        categories=[],
        content_hash=f"{n:064d}",
        stored_at=at(stored),
        published_at=at(stored),
        baseline=baseline,
        strands=[strand(slug) for slug in strands],
    )
    db.session.add(update)
    if deadline:
        db.session.add(Deadline(update=update, at=at(deadline), sentence="Comments until then."))
    db.session.commit()
    return update


def change(update: Update, when: str) -> Update:
    """The site edited an update: the feed code bumps its revision and changed_at."""
    update.revision += 1
    update.changed_at = at(when)
    db.session.commit()
    return update


def make_subscriber(
    email: str,
    strands: tuple[str, ...] = (),
    *,
    frequency: str = "daily",
    confirmed: str = "2026-01-01T00:00",
    reminders: bool = True,
    per_strand: dict[str, tuple[str, bool]] | None = None,
) -> Subscriber:
    """A confirmed subscriber (as if they had clicked the link at `confirmed`).

    Every strand gets `frequency` and `reminders`, except those `per_strand` maps to their
    own (frequency, reminders).
    """
    subscriber = Subscriber(email=email, status="confirmed", confirmed_at=at(confirmed))
    own = per_strand or {}
    subscriber.subscriptions = [
        Subscription(
            strand=strand(slug),
            frequency=own.get(slug, (frequency, reminders))[0],
            reminders=own.get(slug, (frequency, reminders))[1],
        )
        for slug in dict.fromkeys([*strands, *own])
    ]
    db.session.add(subscriber)
    db.session.commit()
    return subscriber


def preferences_of(subscriber: Subscriber) -> dict[str, tuple[str, bool]]:
    """slug -> (frequency, reminders), read afresh."""
    db.session.expire_all()
    return {sub.strand.slug: (sub.frequency, sub.reminders) for sub in subscriber.subscriptions}


def outbox(kind: str | None = None, to: str | None = None) -> list[Outbox]:
    """Queued emails, read afresh (a request or a worker may have committed since)."""
    db.session.expire_all()
    query = select(Outbox).order_by(Outbox.id)
    if kind:
        query = query.where(Outbox.kind == kind)
    if to:
        query = query.where(Outbox.to_address == to)
    return list(db.session.scalars(query))
