"""Comment-deadline reminders at the daily time, and notes when a reminded deadline moves."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, false, select, true
from sqlalchemy.orm import joinedload

from notifier.extensions import db
from notifier.models import Deadline, Mute, Outbox, ScheduledRun, Update
from notifier.models.email_kinds import (
    MovedPayload,
    ReminderPayload,
    moved_prefix,
    reminder_prefix,
    reminder_version_prefix,
)
from notifier.schedules import runs
from notifier.schedules.fanout import SUBSCRIBERS, SUBSCRIPTIONS, follows, payload, queue_to
from notifier.schedules.periods import daily_period, local_instant
from notifier.settings import current_settings

KIND = "reminders"
MOVED = "deadline_moved"


def queue_due(now: datetime) -> list[ScheduledRun]:
    """Queue the reminders of the latest daily period unless done; finish killed runs first.

    A run covers the reminder times after the previous run's end, so after downtime one run
    catches up on everything missed, sending each deadline's most urgent reminder only.
    """
    settings = current_settings()
    period = daily_period(now, settings.daily_time, settings.tz)
    completed = [complete(run, now) for run in runs.unfinished(KIND)]
    if runs.get(KIND, period.key) is None:
        previous = runs.latest(KIND)
        start = period.previous_end
        if previous is not None and previous.period_end < period.end:
            start = previous.period_end
        run = runs.find_or_create(KIND, period.key, start, period.end, now)
        if run.finished_at is None:
            completed.append(complete(run, now))
    return completed


def complete(run: ScheduledRun, now: datetime) -> ScheduledRun:
    """Queue the reminders whose time falls in the run's window, then mark it finished."""
    for deadline, offset in due_reminders(run.period_start, run.period_end, now):
        _fan_out(run, deadline, offset, now)
    return runs.finish(run, now)


def due_reminders(start: datetime, end: datetime, now: datetime) -> list[tuple[Deadline, int]]:
    """(deadline, days before) pairs whose reminder time is in (start, end], still open at now."""
    settings = current_settings()
    longest = max(settings.reminder_offsets, default=0)
    deadlines = db.session.scalars(
        select(Deadline)
        .where(
            Deadline.cancelled == false(),
            Deadline.at > now,
            Deadline.at <= end + timedelta(days=longest + 2),
        )
        .options(joinedload(Deadline.update).selectinload(Update.strands))
        .order_by(Deadline.at, Deadline.id)
    )
    due = []
    for deadline in deadlines:
        day = deadline.at.astimezone(settings.tz).date()
        hits = [
            offset
            for offset in settings.reminder_offsets
            if start
            < local_instant(day - timedelta(days=offset), settings.daily_time, settings.tz)
            <= end
        ]
        if hits:  # several only after downtime: the most urgent one is the one worth sending
            due.append((deadline, min(hits)))
    return due


def _audience(deadline: Deadline) -> list:
    """Confirmed subscribers with reminders on for one of the update's strands they follow.

    A general update (in no strand) concerns all their strands: any one with reminders will do.
    """
    strands = deadline.update.strands
    strand_ids = [strand.id for strand in strands] if strands else None
    muted = exists(
        select(1).where(
            Mute.subscriber_id == SUBSCRIBERS.c.id, Mute.update_id == deadline.update_id
        )
    )
    return [
        SUBSCRIBERS.c.status == "confirmed",
        follows(strand_ids, SUBSCRIPTIONS.c.reminders == true()),
        # "I've responded": no more reminders (nor moved-deadline notes) for this update.
        ~muted,
    ]


def _fan_out(run: ScheduledRun, deadline: Deadline, offset: int, now: datetime) -> int:
    where = _audience(deadline)
    email = payload(
        ReminderPayload,
        deadline=deadline.id,
        version=deadline.version,
        offset=offset,
        at=deadline.at.isoformat(),
    )
    # The version in the key: a moved deadline gets its reminders planned afresh.
    prefix = reminder_prefix(deadline.id, deadline.version, offset)
    return queue_to(where, prefix, "reminder", email, now, run)


def notify_moved(now: datetime) -> int:
    """Tell subscribers reminded of a deadline's earlier date that it moved, once per move."""
    moved = db.session.scalars(
        select(Deadline)
        .where(Deadline.version > 1, Deadline.cancelled == false(), Deadline.at > now)
        .options(joinedload(Deadline.update).selectinload(Update.strands))
    )
    total = 0
    for deadline in moved:
        key = f"deadline-{deadline.id}-v{deadline.version}"
        if (run := runs.get(MOVED, key)) is not None and run.finished_at is not None:
            continue
        run = runs.find_or_create(MOVED, key, deadline.previous_at, deadline.at, now)
        total += _fan_out_moved(run, deadline, now)
        runs.finish(run, now)
    return total


def _fan_out_moved(run: ScheduledRun, deadline: Deadline, now: datetime) -> int:
    reminded_before = exists(
        select(1).where(
            Outbox.subscriber_id == SUBSCRIBERS.c.id,
            Outbox.kind == "reminder",
            Outbox.key.like(reminder_version_prefix(deadline.id) + "%"),
            ~Outbox.key.like(reminder_version_prefix(deadline.id, deadline.version) + "%"),
        )
    )
    # Only those who still want reminders for this update hear that its deadline moved.
    where = [*_audience(deadline), reminded_before]
    email = payload(
        MovedPayload,
        deadline=deadline.id,
        version=deadline.version,
        at=deadline.at.isoformat(),
        previous_at=deadline.previous_at.isoformat() if deadline.previous_at else None,
    )
    prefix = moved_prefix(deadline.id, deadline.version)
    return queue_to(where, prefix, MOVED, email, now, run)
