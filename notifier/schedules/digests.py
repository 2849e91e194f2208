"""Daily and weekly digests: per subscriber, the updates since their previous digest."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, case, exists, false, func, literal, or_, select, update

from notifier.extensions import db
from notifier.models import DigestRun, Update, update_strands
from notifier.models.base import UTCDateTime
from notifier.models.people import Subscription
from notifier.schedules import runs
from notifier.schedules.fanout import (
    CONFIRMED_AT,
    S,
    email_columns,
    in_batches,
    insert_emails,
    json_array_agg,
    json_object,
)
from notifier.schedules.periods import period_for

KINDS = ("daily", "weekly")
U = Update.__table__

# Where this subscriber's next digest starts: their previous digest's end, never before they
# confirmed (a re-confirmed subscriber's old cursor must not reach back past the new consent).
SINCE = case(
    (
        or_(S.c.digested_until.is_(None), S.c.digested_until < CONFIRMED_AT),
        CONFIRMED_AT,
    ),
    else_=S.c.digested_until,
)


def queue_due(kind: str, now: datetime) -> list[DigestRun]:
    """Queue the latest period's digests of a kind unless done; finish killed runs first.

    After downtime only the latest missed period runs: each subscriber's window starts at
    their own previous digest, so that one digest covers everything missed.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown digest kind {kind!r}")
    period = period_for(kind, now, current_app.config["NOTIFIER"])
    completed = [complete(run, now) for run in runs.unfinished(kind)]
    run = runs.find_or_create(kind, period.key, period.previous_end, period.end, now)
    if run.finished_at is None:
        completed.append(complete(run, now))
    return completed


def complete(run: DigestRun, now: datetime) -> DigestRun:
    """Queue every digest of a run that is not queued yet, then mark the run finished."""
    where = [S.c.status == "confirmed", S.c.frequency == run.kind]
    candidates = _candidates(where, run.period_end)
    if candidates:
        in_batches(where, lambda lo, hi: _batch(run, candidates, lo, hi, now), run)
    return runs.finish(run, now)


def _candidates(where: list, end: datetime) -> dict[int, bool]:
    """Updates any of these subscribers may be owed, mapped to whether they are general."""
    oldest = db.session.scalar(select(func.min(SINCE)).where(*where))
    if oldest is None:
        return {}
    active = or_(
        and_(Update.stored_at > oldest, Update.stored_at <= end),
        and_(Update.revision > 1, Update.changed_at > oldest, Update.changed_at <= end),
    )
    general = ~exists(select(1).where(update_strands.c.update_id == Update.id))
    rows = db.session.execute(
        select(Update.id, general).where(Update.baseline == false(), active)
    ).all()
    return {update_id: is_general for update_id, is_general in rows}


def _pairs(candidates: dict[int, bool], lo: int, hi: int):
    """(subscriber, update) pairs where the update is in their strands or general.

    A pair repeats when an update is in two of someone's strands; the aggregate dedupes.
    """
    general = [update_id for update_id, is_general in candidates.items() if is_general]
    in_strands = (
        select(Subscription.subscriber_id.label("subscriber_id"), update_strands.c.update_id)
        .join(update_strands, update_strands.c.strand_id == Subscription.strand_id)
        .where(
            update_strands.c.update_id.in_(list(candidates)),
            Subscription.subscriber_id.between(lo, hi),
        )
    )
    to_everyone = (
        select(S.c.id.label("subscriber_id"), U.c.id.label("update_id"))
        .select_from(S.join(U, U.c.id.in_(general)))
        .where(S.c.id.between(lo, hi))
    )
    return in_strands.union_all(to_everyone).subquery("pairs")


def _batch(run: DigestRun, candidates: dict[int, bool], lo: int, hi: int, now) -> int:
    """Queue the digests of subscribers lo..hi and move their cursors to the period's end."""
    end = literal(run.period_end, UTCDateTime())
    new = and_(U.c.stored_at > SINCE, U.c.stored_at <= end)
    # A change shows as "updated" only for an update this subscriber already had.
    changed = and_(
        U.c.revision > 1, U.c.changed_at > SINCE, U.c.changed_at <= end, U.c.stored_at <= SINCE
    )
    pairs = _pairs(candidates, lo, hi)
    payload = json_object(
        literal("run"),
        literal(run.id),
        literal("since"),
        SINCE,
        literal("until"),
        literal(run.period_end.isoformat()),
        literal("updates"),
        json_array_agg(U.c.id.distinct()),
    )
    mine = [S.c.status == "confirmed", S.c.frequency == run.kind, S.c.id.between(lo, hi)]
    columns = email_columns(f"digest:{run.kind}:{run.period_key}:", "digest", payload, now)
    queued = insert_emails(
        select(*columns)
        .select_from(
            S.join(pairs, pairs.c.subscriber_id == S.c.id).join(U, U.c.id == pairs.c.update_id)
        )
        # Never an update stored before the subscriber confirmed.
        .where(*mine, U.c.stored_at > CONFIRMED_AT, or_(new, changed))
        .group_by(S.c.id, S.c.email, S.c.digested_until, S.c.confirmed_at, S.c.created_at)
    )
    db.session.execute(
        update(S)
        .where(*mine, or_(S.c.digested_until.is_(None), S.c.digested_until < end))
        .values(digested_until=end)
    )
    return queued
