"""Write a batch's subscriptions: drop, change and add, one statement each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, delete, tuple_, update

from notifier.extensions import db
from notifier.models import Subscription
from notifier.subscriptions.imports.bulk import Bulk
from notifier.subscriptions.imports.plan import Plan

subscriptions = Subscription.__table__
FOLLOW_COLUMNS = (
    "subscriber_id",
    "strand_id",
    "frequency",
    "reminders",
    "created_at",
    "digested_until",
)


def change_follows(bulk: Bulk, plans: list[Plan], now: datetime) -> None:
    dropped = [(plan.subscriber_id, s) for plan in plans for s in plan.follows_dropped]
    if dropped:
        db.session.execute(
            delete(subscriptions).where(
                tuple_(subscriptions.c.subscriber_id, subscriptions.c.strand_id).in_(dropped)
            )
        )
    changed = [
        {
            "_subscriber": plan.subscriber_id,
            "_strand": strand_id,
            "frequency": follow.frequency,
            "reminders": follow.reminders,
            "digested_until": follow.digested_until,
        }
        for plan in plans
        for strand_id, follow in plan.follows_changed.items()
    ]
    if changed:
        db.session.execute(
            update(subscriptions)
            .where(
                and_(
                    subscriptions.c.subscriber_id == bindparam("_subscriber"),
                    subscriptions.c.strand_id == bindparam("_strand"),
                )
            )
            .values(
                frequency=bindparam("frequency"),
                reminders=bindparam("reminders"),
                digested_until=bindparam("digested_until"),
            ),
            changed,
        )
    added = [
        (
            plan.subscriber_id,
            strand_id,
            follow.frequency,
            follow.reminders,
            now,
            follow.digested_until,
        )
        for plan in plans
        for strand_id, follow in plan.follows_added.items()
    ]
    bulk.copy(subscriptions, FOLLOW_COLUMNS, added)
