"""What admins read about subscribers and their own actions: searches paged by id, histories.

Pages are keyed by the last id seen (newest first), never by offset: a page stays the same
while people join, and a deep page costs what the first one does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import AuditEntry, Bounce, ConsentRecord, Outbox, Strand, Subscriber
from notifier.models import Subscription as Sub
from notifier.models.people import STATUSES

PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    next: int | None  # the id to pass as `after` for the next page; None on the last


def _page(query, id_column, after: int | None, limit: int) -> Page:
    if after is not None:
        query = query.where(id_column < after)
    rows = list(db.session.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


def subscribers(
    email: str = "",
    strand: str = "",
    status: str = "",
    after: int | None = None,
    limit: int = PAGE,
) -> Page:
    """Subscribers whose address contains `email`, in a strand (slug), of a status; newest first.

    :raise ValueError: an unknown status.
    """
    query = select(Subscriber).options(
        selectinload(Subscriber.subscriptions).joinedload(Sub.strand)
    )
    if email.strip():
        query = query.where(Subscriber.email.contains(email.strip().lower(), autoescape=True))
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(Subscriber.status == status)
    if strand:
        query = query.where(
            exists(
                select(1)
                .select_from(Sub)
                .join(Strand, Strand.id == Sub.strand_id)
                .where(Sub.subscriber_id == Subscriber.id, Strand.slug == strand)
            )
        )
    return _page(query, Subscriber.id, after, limit)


@dataclass(frozen=True)
class History:
    consent: list[ConsentRecord]
    emails: list[Outbox]
    bounces: list[Bounce]


def history(subscriber: Subscriber, emails: int = 200) -> History:
    """One subscriber's consent records (oldest first), latest emails and bounces."""
    return History(
        consent=list(
            db.session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.subscriber_id == subscriber.id)
                .order_by(ConsentRecord.created_at, ConsentRecord.id)
            )
        ),
        emails=list(
            db.session.scalars(
                select(Outbox)
                .where(Outbox.subscriber_id == subscriber.id)
                .order_by(Outbox.id.desc())
                .limit(emails)
            )
        ),
        bounces=list(
            db.session.scalars(
                select(Bounce)
                .where(Bounce.subscriber_id == subscriber.id)
                .order_by(Bounce.id.desc())
            )
        ),
    )


def audit_entries(
    actor: str = "", action: str = "", target: str = "", after: int | None = None, limit=PAGE
) -> Page:
    """Audit entries, newest first, filtered by actor, action (a prefix) and target (a part)."""
    query = select(AuditEntry)
    if actor.strip():
        query = query.where(AuditEntry.actor == actor.strip().lower())
    if action.strip():
        query = query.where(AuditEntry.action.startswith(action.strip(), autoescape=True))
    if target.strip():
        query = query.where(AuditEntry.target.contains(target.strip(), autoescape=True))
    return _page(query, AuditEntry.id, after, limit)
