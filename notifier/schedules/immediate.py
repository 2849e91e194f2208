"""Immediate sends: one email per new update to each immediate subscriber it concerns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, exists, false, literal, or_, select, update
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import DigestRun, Update
from notifier.models.base import UTCDateTime
from notifier.schedules import runs
from notifier.schedules.fanout import CONFIRMED_AT, S, in_strands, json_object, queue_to

KIND = "immediate"


def run_key(update_id: int) -> str:
    return f"update-{update_id}"


def pending_updates(now: datetime) -> list[Update]:
    """New (non-baseline) updates stored by now whose fan-out has not finished."""
    done = exists(
        select(1).where(
            DigestRun.kind == KIND,
            DigestRun.period_key == literal("update-") + cast(Update.id, String),
            DigestRun.finished_at.is_not(None),
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
    queued = sum(fan_out_update(update, now) for update in pending)
    if pending:
        _move_cursors(max(update.stored_at for update in pending))
    return queued


def _move_cursors(until: datetime) -> None:
    """Record that immediate subscribers have heard of everything stored until then.

    Someone who later switches to a digest then starts from here, not from when they
    confirmed, so nothing they were sent one by one comes again in their first digest.
    """
    end = literal(until, UTCDateTime())
    db.session.execute(
        update(S)
        .where(
            S.c.status == "confirmed",
            S.c.frequency == KIND,
            or_(S.c.digested_until.is_(None), S.c.digested_until < end),
        )
        .values(digested_until=end)
    )
    db.session.commit()


def fan_out_update(update: Update, now: datetime) -> int:
    """Queue one update for every confirmed immediate subscriber it concerns, once."""
    run = runs.find_or_create(KIND, run_key(update.id), None, update.stored_at, now)
    if run.finished_at is not None:
        return 0
    where = [
        S.c.status == "confirmed",
        S.c.frequency == KIND,
        # Only updates stored after the subscriber confirmed.
        update.stored_at > CONFIRMED_AT,
    ]
    if update.strands:  # an update in no strand is general: it goes to everyone
        where.append(in_strands(strand.id for strand in update.strands))
    payload = json_object(literal("update"), literal(update.id))
    queued = queue_to(where, f"immediate:{update.id}:", KIND, payload, now, run)
    runs.finish(run, now)
    return queued
