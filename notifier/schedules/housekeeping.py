"""Deleting what is older than the retention period.

Stale outbox claims need no job: the claim query takes back any expired lease itself
(delivery/store.py), in the same statement that hands the row to its next worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from notifier.extensions import db
from notifier.models import AuditEntry, Outbox

FINISHED = ("sent", "failed", "cancelled")


def purge_old(now: datetime, retention_days: int) -> tuple[int, int]:
    """Delete finished outbox rows and audit entries older than retention_days.

    Safe for exactly-once: every run that could re-queue an old key is itself marked finished.
    """
    cutoff = now - timedelta(days=retention_days)
    outbox = db.session.execute(
        delete(Outbox)
        .where(Outbox.status.in_(FINISHED), Outbox.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit = db.session.execute(
        delete(AuditEntry)
        .where(AuditEntry.at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return outbox, audit
