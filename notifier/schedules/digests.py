"""Daily and weekly digests: per subscriber, what each frequency owes since its last digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, false, func, literal, or_, select, update

from notifier.extensions import db
from notifier.models import ScheduledRun, Update, update_strands
from notifier.models.base import UTCDateTime
from notifier.models.email_kinds import DigestPayload, digest_prefix
from notifier.models.people import FREQUENCIES
from notifier.schedules import runs
from notifier.schedules.fanout import (
    CONFIRMED_AT,
    RANK,
    SUBSCRIBERS,
    SUBSCRIPTIONS,
    after_run,
    email_columns,
    follows,
    in_batches,
    insert_emails,
    json_array_agg,
    payload,
    with_statistics,
)
from notifier.schedules.periods import period_for
from notifier.settings import current_settings

KINDS = ("daily", "weekly")
U = Update.__table__
US = update_strands

# Where a subscription's next digest starts: its cursor, never before the subscriber confirmed
# (a re-confirmed subscriber's old cursor must not reach back past the new consent).
SINCE = case(
    (
        or_(
            SUBSCRIPTIONS.c.digested_until.is_(None), SUBSCRIPTIONS.c.digested_until < CONFIRMED_AT
        ),
        CONFIRMED_AT,
    ),
    else_=SUBSCRIPTIONS.c.digested_until,
)


def queue_due(kind: str, now: datetime) -> list[ScheduledRun]:
    """Queue the latest period's digests of a kind unless done; finish killed runs first.

    After downtime only the latest missed period runs: each subscriber's window starts at
    their own previous digest, so that one digest covers everything missed.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown digest kind {kind!r}")
    period = period_for(kind, now, current_settings())
    completed = [complete(run, now) for run in runs.unfinished(kind)]
    run = runs.find_or_create(kind, period.key, period.previous_end, period.end, now)
    if run.finished_at is None:
        completed.append(complete(run, now))
    return completed


def complete(run: ScheduledRun, now: datetime) -> ScheduledRun:
    """Queue every digest of a run that is not queued yet, then mark the run finished."""
    where = [
        SUBSCRIBERS.c.status == "confirmed",
        follows(None, SUBSCRIPTIONS.c.frequency == run.kind),
    ]
    with_statistics()
    candidates = _candidates(run.kind, run.period_end)
    if candidates:
        after_run(in_batches(where, lambda lo, hi: _batch(run, candidates, lo, hi, now), run))
    return runs.finish(run, now)


def _candidates(kind: str, end: datetime) -> dict[int, bool]:
    """Updates any subscriber may be owed by this kind, mapped to whether they are general."""
    oldest = db.session.scalar(
        select(func.min(SINCE))
        .select_from(
            SUBSCRIPTIONS.join(SUBSCRIBERS, SUBSCRIBERS.c.id == SUBSCRIPTIONS.c.subscriber_id)
        )
        .where(SUBSCRIBERS.c.status == "confirmed", SUBSCRIPTIONS.c.frequency == kind)
    )
    if oldest is None:
        return {}
    active = or_(
        and_(Update.stored_at > oldest, Update.stored_at <= end),
        and_(Update.revision > 1, Update.changed_at > oldest, Update.changed_at <= end),
    )
    general = ~exists(select(1).where(US.c.update_id == Update.id))
    rows = db.session.execute(
        select(Update.id, general).where(Update.baseline == false(), active)
    ).all()
    return {update_id: is_general for update_id, is_general in rows}


def _owed(kind: str, candidates: dict[int, bool], lo: int, hi: int):
    """(subscriber, update, cursor) for each update this kind owes subscribers lo..hi.

    An update is owed at the fastest frequency among the subscriber's strands it is in (a
    general update: among all their strands), so this kind owes it only where that fastest
    is this kind. Its window starts at the latest cursor of the strands of this kind that
    bring it (a strand that just joined this frequency carries its own older cursor).
    """
    rank = FREQUENCIES.index(kind)
    # Only subscriptions: the subscriber's confirmation is applied outside, and a join here
    # would let a planner without statistics scan every subscriber for each batch.
    cursor = func.max(
        case((SUBSCRIPTIONS.c.frequency == kind, SUBSCRIPTIONS.c.digested_until))
    ).label("cursor")
    in_strands = (
        select(SUBSCRIPTIONS.c.subscriber_id, US.c.update_id, cursor)
        .select_from(SUBSCRIPTIONS.join(US, US.c.strand_id == SUBSCRIPTIONS.c.strand_id))
        .where(
            US.c.update_id.in_([u for u, is_general in candidates.items() if not is_general]),
            SUBSCRIPTIONS.c.subscriber_id.between(lo, hi),
        )
        .group_by(SUBSCRIPTIONS.c.subscriber_id, US.c.update_id)
        .having(func.min(RANK) == rank)
    )
    general = [u for u, is_general in candidates.items() if is_general]
    if not general:
        return in_strands.subquery("owed")
    fastest = (
        select(SUBSCRIPTIONS.c.subscriber_id, cursor)
        .where(SUBSCRIPTIONS.c.subscriber_id.between(lo, hi))
        .group_by(SUBSCRIPTIONS.c.subscriber_id)
        .having(func.min(RANK) == rank)
        .subquery("fastest")
    )
    to_everyone = select(fastest.c.subscriber_id, U.c.id.label("update_id"), fastest.c.cursor).join(
        U, U.c.id.in_(general)
    )
    return in_strands.union_all(to_everyone).subquery("owed")


def _batch(run: ScheduledRun, candidates: dict[int, bool], lo: int, hi: int, now) -> int:
    """Queue the digests of subscribers lo..hi and move their cursors to the period's end."""
    end = literal(run.period_end, UTCDateTime())
    owed = _owed(run.kind, candidates, lo, hi)
    # The window starts at the cursor, never before the subscriber confirmed.
    since = case(
        (or_(owed.c.cursor.is_(None), owed.c.cursor < CONFIRMED_AT), CONFIRMED_AT),
        else_=owed.c.cursor,
    )
    new = and_(U.c.stored_at > since, U.c.stored_at <= end)
    # A change shows as "updated" only for an update this subscriber already had.
    changed = and_(
        U.c.revision > 1, U.c.changed_at > since, U.c.changed_at <= end, U.c.stored_at <= since
    )
    email = payload(
        DigestPayload,
        run=run.id,
        since=func.min(since),
        until=run.period_end.isoformat(),
        updates=json_array_agg(U.c.id.distinct()),
    )
    mine = [SUBSCRIBERS.c.status == "confirmed", SUBSCRIBERS.c.id.between(lo, hi)]
    columns = email_columns(digest_prefix(run.kind, run.period_key), "digest", email, now)
    queued = insert_emails(
        select(*columns)
        .select_from(
            SUBSCRIBERS.join(owed, owed.c.subscriber_id == SUBSCRIBERS.c.id).join(
                U, U.c.id == owed.c.update_id
            )
        )
        # Never an update stored before the subscriber confirmed.
        .where(*mine, U.c.stored_at > CONFIRMED_AT, or_(new, changed))
        .group_by(SUBSCRIBERS.c.id, SUBSCRIBERS.c.email)
    )
    db.session.execute(
        update(SUBSCRIPTIONS)
        .where(
            SUBSCRIPTIONS.c.frequency == run.kind,
            SUBSCRIPTIONS.c.subscriber_id.in_(select(SUBSCRIBERS.c.id).where(*mine)),
            or_(SUBSCRIPTIONS.c.digested_until.is_(None), SUBSCRIPTIONS.c.digested_until < end),
        )
        .values(digested_until=end)
    )
    return queued
