"""Leases on outbox rows: a worker claims due rows in a batch, and gives back what it leaves."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from notifier.extensions import db
from notifier.models import Outbox


def _claimable(now: datetime):
    return (
        Outbox.status == "queued",
        Outbox.next_attempt_at <= now,
        or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),
    )


def claim(now: datetime, worker: str, limit: int, lease_seconds: int) -> list[int]:
    """Lease up to limit due rows to this worker in one statement; return their ids in order.

    PostgreSQL: the inner SELECT locks the rows it picks and skips rows another worker is
    claiming at this moment, so concurrent workers never wait for or take each other's rows.
    SQLite: one writer at a time runs the whole UPDATE, and the repeated guard in its WHERE
    means a row leased in between is not taken. Either way an expired lease is fair game,
    which is how a crashed worker's rows come back.
    """
    due = select(Outbox.id).where(*_claimable(now)).order_by(Outbox.next_attempt_at, Outbox.id)
    due = due.limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # A materialised CTE runs the pick exactly once. As a plain IN (subquery), PostgreSQL may
    # run it again for each row it scans, and each run finds other rows: a claim far over limit.
    picked = due.cte("picked").prefix_with("MATERIALIZED")
    claimed = db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(select(picked.c.id)), *_claimable(now))
        .values(claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(Outbox.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(claimed.scalars())
    db.session.commit()
    return ids


def release(ids: list[int], worker: str) -> None:
    """Give back rows this worker claimed but will not send now: they stay due, untouched."""
    if not ids:
        return
    db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.claimed_by == worker, Outbox.status == "queued")
        .values(claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
