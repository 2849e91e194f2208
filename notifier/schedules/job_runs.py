"""Each clock job's last run, kept one row a job so the dashboard can say when and how it ran."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from notifier.extensions import db
from notifier.models import JobRun

log = logging.getLogger(__name__)


def record(
    name: str,
    started_at: datetime,
    seconds: float,
    error: BaseException | None,
    interval: float | None,
) -> None:
    """Upsert the job's row and commit; a failure to record is logged, never raised.

    Only the clock holding the lease runs jobs, so one writer per name: a get-or-add is enough.
    """
    try:
        row = db.session.get(JobRun, name) or JobRun(name=name)
        row.started_at = started_at
        row.seconds = round(seconds, 3)
        row.result = "ok" if error is None else "failed"
        row.error = (
            None if error is None else (str(error).split("\n")[0][:500] or type(error).__name__)
        )
        row.next_at = started_at + timedelta(seconds=interval) if interval else None
        db.session.add(row)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("could not record the %s job's run: %s", name, str(exc).split("\n")[0])


def latest() -> list[JobRun]:
    """Every job's last run, by name."""
    return list(db.session.scalars(select(JobRun).order_by(JobRun.name)))
