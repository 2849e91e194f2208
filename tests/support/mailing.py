"""Test data for delivery: subscribers in a given state, and emails queued for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.models import Outbox, Strand, Subscriber, Subscription, utcnow


def subscriber(
    address: str, status: str = "confirmed", now: datetime | None = None, commit: bool = True
):
    """A subscriber to the first strand, in the given status."""
    now = now or utcnow()
    person = Subscriber(
        email=address,
        status=status,
        confirmed_at=now if status in {"confirmed", "suppressed"} else None,
        suppressed_at=now if status == "suppressed" else None,
        suppressed_reason="test" if status == "suppressed" else None,
        unsubscribed_at=now if status == "unsubscribed" else None,
    )
    db.session.add(person)
    db.session.flush()
    strand = db.session.scalars(select(Strand).order_by(Strand.position)).first()
    db.session.add(Subscription(subscriber_id=person.id, strand_id=strand.id))
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return person


def crowd(count: int, status: str = "confirmed", domain: str = "example.org") -> list[Subscriber]:
    people = [subscriber(f"reader{n:05d}@{domain}", status, commit=False) for n in range(count)]
    db.session.commit()
    return people


def queue(kind: str, people, now: datetime | None = None, payload: dict | None = None):
    """Queue one email of a kind for each subscriber; commit; return the rows' ids in order."""
    for person in people:
        enqueue(
            f"{kind}:{person.id}",
            kind,
            person.email,
            subscriber_id=person.id,
            payload=payload,
            now=now,
        )
    db.session.commit()
    return list(db.session.scalars(select(Outbox.id).order_by(Outbox.id)))


def rows() -> list[Outbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(Outbox).order_by(Outbox.id)))


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows():
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts
