"""Who an announcement reaches: confirmed subscribers in any chosen strand, or all of them."""

from __future__ import annotations

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Strand, Subscriber
from notifier.schedules.fanout import SUBSCRIBERS, follows


def conditions(slugs: list[str]) -> list:
    """WHERE conditions on the subscriber table for these strand slugs (none: everyone)."""
    where = [SUBSCRIBERS.c.status == "confirmed"]
    if slugs:
        strand_ids = db.session.scalars(select(Strand.id).where(Strand.slug.in_(slugs))).all()
        where.append(follows(strand_ids))
    return where


def count(slugs: list[str]) -> int:
    """How many people an announcement to these strands reaches now (each once)."""
    return db.session.scalar(
        select(func.count()).select_from(SUBSCRIBERS).where(*conditions(slugs))
    )


def sample(slugs: list[str], email: str | None = None) -> Subscriber | None:
    """A recipient to preview as: the one with this address, else the first; None if none."""
    query = select(SUBSCRIBERS.c.id).where(*conditions(slugs))
    if email:
        query = query.where(SUBSCRIBERS.c.email == email.strip().lower())
    subscriber_id = db.session.scalar(query.order_by(SUBSCRIBERS.c.id).limit(1))
    return db.session.get(Subscriber, subscriber_id) if subscriber_id else None
