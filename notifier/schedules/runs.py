"""Scheduled runs as rows found or created per period, so a rerun finds the same row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import ScheduledRun


def find_or_create(
    kind: str, key: str, start: datetime | None, end: datetime, now: datetime
) -> ScheduledRun:
    """Return the run of this kind and period, creating it unless another process did."""
    run = get(kind, key)
    if run is not None:
        return run
    db.session.execute(
        insert_ignoring_duplicates(ScheduledRun.__table__).values(
            kind=kind,
            period_key=key,
            period_start=start,
            period_end=end,
            started_at=now,
            emails_queued=0,
        )
    )
    db.session.commit()
    return get(kind, key)


def get(kind: str, key: str) -> ScheduledRun | None:
    return db.session.scalar(
        select(ScheduledRun).where(ScheduledRun.kind == kind, ScheduledRun.period_key == key)
    )


def unfinished(kind: str) -> list[ScheduledRun]:
    """Runs of a kind that started but never finished (killed), oldest first."""
    return list(
        db.session.scalars(
            select(ScheduledRun)
            .where(ScheduledRun.kind == kind, ScheduledRun.finished_at.is_(None))
            .order_by(ScheduledRun.period_end)
        )
    )


def latest(kind: str) -> ScheduledRun | None:
    return db.session.scalar(
        select(ScheduledRun)
        .where(ScheduledRun.kind == kind)
        .order_by(ScheduledRun.period_end.desc())
    )


def finish(run: ScheduledRun, now: datetime) -> ScheduledRun:
    """Mark a run done; called only after all its batches committed."""
    run.finished_at = now
    db.session.commit()
    return run
