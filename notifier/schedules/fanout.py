"""Set-based fan-out: emails inserted by INSERT … SELECT in batches of subscriber ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, cast, exists, func, literal, select, text

from notifier.database import analyze, insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Outbox, Subscriber, Subscription
from notifier.models.base import UTCDateTime
from notifier.models.email_kinds import fields
from notifier.models.people import FREQUENCIES

# Subscribers per INSERT … SELECT: each batch is one short transaction.
BATCH = 10_000

SUBSCRIBERS = Subscriber.__table__
SUBSCRIPTIONS = Subscription.__table__
# Frequencies fastest first, as numbers SQL can take the minimum of.
RANK = case(
    *((SUBSCRIPTIONS.c.frequency == name, n) for n, name in enumerate(FREQUENCIES)), else_=99
)
# When the subscriber confirmed; a confirmed row without the moment (an old import) counts
# from when it was created, so it is neither skipped for ever nor sent the whole archive.
CONFIRMED_AT = func.coalesce(SUBSCRIBERS.c.confirmed_at, SUBSCRIBERS.c.created_at)
OUTBOX_COLUMNS = (
    "key",
    "kind",
    "subscriber_id",
    "to_address",
    "payload",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
)


def postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def json_object(*pairs):
    """A JSON object built in SQL from alternating keys and values."""
    return func.json_build_object(*pairs) if postgres() else func.json_object(*pairs)


def json_array_agg(column):
    """A JSON array aggregated in SQL from a column."""
    return func.json_agg(column) if postgres() else func.json_group_array(column)


def payload(shape: type, **values) -> ColumnElement:
    """A payload of one of email_kinds' shapes built in SQL; values are SQL or plain values."""
    if values.keys() != fields(shape):
        raise TypeError(f"{shape.__name__} has {sorted(fields(shape))}, not {sorted(values)}")
    pairs = ((literal(name), _sql(value)) for name, value in values.items())
    return json_object(*(part for pair in pairs for part in pair))


def _sql(value):
    return value if isinstance(value, ColumnElement) else literal(value)


def email_columns(key_prefix: str, kind: str, payload, now: datetime) -> list:
    """The SELECT list of one outbox row per row of SUBSCRIBERS, keyed key_prefix + its id."""
    moment = literal(now, UTCDateTime())
    return [
        literal(key_prefix) + cast(SUBSCRIBERS.c.id, String),
        literal(kind),
        SUBSCRIBERS.c.id,
        SUBSCRIBERS.c.email,
        payload,
        literal("queued"),
        literal(0),
        moment,
        moment,
    ]


def insert_emails(selection) -> int:
    """Insert the rows a SELECT yields, skipping keys already queued; return how many."""
    stmt = (
        insert_ignoring_duplicates(Outbox.__table__)
        .from_select(OUTBOX_COLUMNS, selection)
        .execution_options(preserve_rowcount=True)
    )
    return db.session.execute(stmt).rowcount


def follows(strand_ids=None, *conditions) -> object:
    """The SUBSCRIBERS row follows one of these strands (None: any) on these conditions.

    An update in no strand is general: it concerns every strand, so pass None for it.
    """
    where = [SUBSCRIPTIONS.c.subscriber_id == SUBSCRIBERS.c.id, *conditions]
    if strand_ids is not None:
        where.append(SUBSCRIPTIONS.c.strand_id.in_(list(strand_ids)))
    return exists(select(1).where(*where))


# What the fan-out queries read, and what a large run writes.
READS = ("subscribers", "subscriptions", "updates", "update_strands")
LARGE = BATCH


def with_statistics() -> None:
    """Give the planner statistics for what a run reads, where a bulk load left none.

    The queries are shaped to plan well without them (batches by primary-key range, the
    candidate updates as literal ids), but a fresh import should not leave it to luck.
    """
    if analyze(db.session, *READS, stale_only=True):
        db.session.commit()


def after_run(queued: int) -> None:
    """After a large run, refresh the statistics of the rows it wrote, for the workers."""
    if queued >= LARGE:
        analyze(db.session, "outbox", "subscriptions")
        db.session.commit()


def in_batches(where: list, batch: Callable[[int, int], int], counter) -> int:
    """Run batch(lo, hi) over subscriber id ranges matching where, committing each one.

    Each batch's emails and counter.emails_queued commit together, so a run killed half-way
    keeps what it queued and the next run (whose keys skip those rows) completes it.
    """
    lo, hi = db.session.execute(
        select(func.min(SUBSCRIBERS.c.id), func.max(SUBSCRIBERS.c.id)).where(*where)
    ).one()
    total = 0
    if lo is None:
        return total
    for start in range(lo, hi + 1, BATCH):
        if postgres():
            # A batch groups a few hundred thousand (subscriber, update) pairs: let the hash
            # aggregates stay in memory rather than spill to disk (this transaction only).
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        queued = batch(start, start + BATCH - 1)
        counter.emails_queued = (counter.emails_queued or 0) + queued
        db.session.commit()
        total += queued
    return total


def queue_to(where: list, key_prefix: str, kind: str, payload, now: datetime, counter) -> int:
    """Queue one email (the same payload) to every subscriber matching where, in batches."""
    columns = email_columns(key_prefix, kind, payload, now)
    return in_batches(
        where,
        lambda lo, hi: insert_emails(
            select(*columns).where(*where, SUBSCRIBERS.c.id.between(lo, hi))
        ),
        counter,
    )
