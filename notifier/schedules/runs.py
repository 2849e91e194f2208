"""Scheduled runs as rows found or created per period, so a rerun finds the same row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import DigestRun


def find_or_create(
    kind: str, key: str, start: datetime | None, end: datetime, now: datetime
) -> DigestRun:
    """Return the run of this kind and period, creating it unless another process did."""
    run = get(kind, key)
    if run is not None:
        return run
    db.session.execute(
        insert_ignoring_duplicates(DigestRun.__table__).values(
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


def get(kind: str, key: str) -> DigestRun | None:
    return db.session.scalar(
        select(DigestRun).where(DigestRun.kind == kind, DigestRun.period_key == key)
    )


def unfinished(kind: str) -> list[DigestRun]:
    """Runs of a kind that started but never finished (killed), oldest first."""
    return list(
        db.session.scalars(
            select(DigestRun)
            .where(DigestRun.kind == kind, DigestRun.finished_at.is_(None))
            .order_by(DigestRun.period_end)
        )
    )


def latest(kind: str) -> DigestRun | None:
    return db.session.scalar(
        select(DigestRun).where(DigestRun.kind == kind).order_by(DigestRun.period_end.desc())
    )


def finish(run: DigestRun, now: datetime) -> DigestRun:
    """Mark a run done; called only after all its batches committed."""
    run.finished_at = now
    db.session.commit()
    return run
