"""Immediate sends: one email per new update to each subscriber with an immediate strand in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, exists, false, func, literal, select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import ScheduledRun, Update
from notifier.models.email_kinds import ImmediatePayload, immediate_prefix
from notifier.schedules import runs
from notifier.schedules.fanout import (
    CONFIRMED_AT,
    SUBSCRIBERS,
    SUBSCRIPTIONS,
    after_run,
    follows,
    payload,
    queue_to,
    with_statistics,
)

KIND = "immediate"


def run_key(update_id: int) -> str:
    return f"update-{update_id}"


def pending_updates(now: datetime) -> list[Update]:
    """New (non-baseline) updates stored by now whose fan-out has not finished."""
    done = exists(
        select(1).where(
            ScheduledRun.kind == KIND,
            ScheduledRun.period_key == literal("update-") + cast(Update.id, String),
            ScheduledRun.finished_at.is_not(None),
        )
    )
    return list(
        db.session.scalars(
            select(Update)
            .where(Update.baseline == false(), Update.stored_at <= now, ~done)
            .options(selectinload(Update.strands))
            .order_by(Update.stored_at, Update.id)
        )
    )


def send_new_updates(now: datetime) -> int:
    """Queue the immediate emails of every pending update; return how many were queued."""
    pending = pending_updates(now)
    if not pending:
        return 0
    with_statistics()
    queued = sum(fan_out_update(update, now) for update in pending)
    after_run(queued)
    return queued


def sent_until() -> datetime | None:
    """When the latest update whose immediate emails are all queued was stored.

    Updates are fanned out in the order they were stored, so everything stored until then has
    gone to the strands that were immediate at the time: a strand switched from immediate to
    a digest starts its digest there, and repeats nothing.
    """
    return db.session.scalar(
        select(func.max(ScheduledRun.period_end)).where(
            ScheduledRun.kind == KIND, ScheduledRun.finished_at.is_not(None)
        )
    )


def fan_out_update(update: Update, now: datetime) -> int:
    """Queue one update for every confirmed subscriber with an immediate strand it is in, once.

    Immediate is the fastest frequency, so one immediate strand among the update's is enough;
    a general update (in no strand) goes to everyone with any immediate strand.
    """
    run = runs.find_or_create(KIND, run_key(update.id), None, update.stored_at, now)
    if run.finished_at is not None:
        return 0
    strand_ids = [strand.id for strand in update.strands] if update.strands else None
    where = [
        SUBSCRIBERS.c.status == "confirmed",
        # Only updates stored after the subscriber confirmed.
        update.stored_at > CONFIRMED_AT,
        follows(strand_ids, SUBSCRIPTIONS.c.frequency == KIND),
    ]
    email = payload(ImmediatePayload, update=update.id)
    queued = queue_to(where, immediate_prefix(update.id), KIND, email, now, run)
    runs.finish(run, now)
    return queued
