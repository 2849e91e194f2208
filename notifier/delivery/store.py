"""The outbox as the engine sees it: claim, load, keep the lease, record outcomes, give back.

Outcomes go on an autocommit connection of each lane's own: one statement, one round trip,
durable when it returns (docs/adr/0005). Every write is guarded by `claimed_by = me AND
status = 'queued'`, so a worker whose lease was taken over can never overwrite the new holder.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from notifier.extensions import db
from notifier.models import Outbox, Subscriber, Subscription

TABLE = Outbox.__table__


def _claimable(now: datetime):
    return (
        Outbox.status == "queued",
        Outbox.next_attempt_at <= now,
        or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),
    )


def claim(now: datetime, worker: str, limit: int, lease_seconds: float) -> list[int]:
    """Lease up to limit due rows to this worker in one statement; return their ids in order.

    PostgreSQL: the inner SELECT locks the rows it picks and skips rows another worker is
    claiming at this moment. SQLite: one writer runs the whole UPDATE, and the repeated guard
    means a row leased in between is not taken. Either way an expired lease is fair game,
    which is how a crashed worker's rows come back (and why no housekeeping job is needed).
    """
    due = select(Outbox.id).where(*_claimable(now)).order_by(Outbox.next_attempt_at, Outbox.id)
    due = due.limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # MATERIALIZED: run the pick once. As a plain IN (subquery), PostgreSQL may run it again
    # for each row it scans, and each run finds other rows: a claim far over limit.
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


def load(ids: list[int], worker: str) -> list[tuple[Outbox, Subscriber | None]]:
    """The batch's rows with their subscribers and strands in a few queries, not one per row."""
    query = (
        select(Outbox, Subscriber)
        .outerjoin(Subscriber, Subscriber.id == Outbox.subscriber_id)
        .where(Outbox.id.in_(ids), Outbox.claimed_by == worker, Outbox.status == "queued")
        .order_by(Outbox.id)
        .options(selectinload(Subscriber.subscriptions).options(joinedload(Subscription.strand)))
    )
    rows = [(row, subscriber) for row, subscriber in db.session.execute(query)]
    db.session.commit()  # end the read; the rows stay loaded (expire_on_commit is off)
    return rows


def extend(connection, ids: list[int], worker: str, now: datetime, seconds: float) -> set[int]:
    """Renew this worker's unexpired leases on ids; return the ids it still holds."""
    result = connection.execute(
        update(TABLE)
        .where(
            TABLE.c.id.in_(ids),
            TABLE.c.claimed_by == worker,
            TABLE.c.status == "queued",
            TABLE.c.lease_until > now,
        )
        .values(lease_until=now + timedelta(seconds=seconds))
        .returning(TABLE.c.id)
    )
    return set(result.scalars())


def release(ids: list[int], worker: str, connection=None) -> None:
    """Give back rows this worker claimed but will not send now: they stay due, untouched."""
    if ids:
        statement = (
            update(TABLE)
            .where(TABLE.c.id.in_(ids), TABLE.c.claimed_by == worker, TABLE.c.status == "queued")
            .values(claimed_by=None, lease_until=None)
        )
        if connection is None:
            db.session.execute(statement)
            db.session.commit()
        else:
            connection.execute(statement)


def record(connection, row_id: int, worker: str | None, values: dict) -> bool:
    """Write one outcome and give up the lease; False if the row was no longer ours.

    worker None: an outcome kept through a database outage, written late. The server's reply
    is a fact whoever holds the lease now, so only the row still being queued is checked.
    """
    params = {f"new_{name}": value for name, value in values.items() if name != "attempts"}
    statement = _outcome_statement(frozenset(values), worker is not None)
    result = connection.execute(statement, {"row_id": row_id, "worker": worker, **params})
    return result.rowcount == 1


@lru_cache(maxsize=64)
def _outcome_statement(names: frozenset[str], guarded: bool):
    # Built once per set of columns and run as plain Core: it runs once per message, and
    # building a fresh UPDATE each time cost more than the commit itself.
    where = [TABLE.c.id == bindparam("row_id"), TABLE.c.status == "queued"]
    if guarded:
        where.append(TABLE.c.claimed_by == bindparam("worker"))
    values = {name: bindparam(f"new_{name}") for name in sorted(names)}
    if "attempts" in names:
        # Counted in the database, not from the copy loaded with the batch: always fresh.
        values["attempts"] = TABLE.c.attempts + 1
    return update(TABLE).where(*where).values(claimed_by=None, lease_until=None, **values)


@contextlib.contextmanager
def outcome_connection():
    """An autocommit connection for outcomes (docs/adr/0005 on durability per database)."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
        yield connection


@contextlib.contextmanager
def rows_stay_loaded():
    """Keep a batch's loaded rows across the session's commits, then forget them."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before
        session.expire_all()
