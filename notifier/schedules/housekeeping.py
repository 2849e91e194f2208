"""Housekeeping: forget what is older than its retention period, in batches, and say what went.

- finished outbox rows (sent, failed, cancelled) and their addresses, audit entries and
  bounce records: after NOTIFIER_RETENTION_DAYS;
- sign-ups never confirmed: after NOTIFIER_PENDING_RETENTION_DAYS, without a trace;
- unsubscribed addresses: after NOTIFIER_UNSUBSCRIBED_RETENTION_DAYS, reduced to the keyed
  hash an erase keeps (so an old list cannot add them back).
Consent records of live subscribers are kept: they are the evidence for mailing them.

Stale outbox claims need no job: the claim query takes back any expired lease itself
(delivery/store.py), in the same statement that hands the row to its next worker.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from notifier.extensions import db
from notifier.models import AuditEntry, Bounce, Outbox, Subscriber
from notifier.subscriptions.erase import erase_many

FINISHED = ("sent", "failed", "cancelled")


@dataclass
class HousekeepingReport:
    emails: int = 0
    audit_entries: int = 0
    bounces: int = 0
    never_confirmed: int = 0
    unsubscribed: int = 0

    def __str__(self) -> str:
        return (
            f"housekeeping: deleted {self.emails} finished emails, {self.audit_entries} audit "
            f"entries and {self.bounces} bounce records past retention; forgot "
            f"{self.never_confirmed} sign-ups never confirmed; reduced {self.unsubscribed} "
            "unsubscribed addresses to their hash"
        )

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def housekeep(now: datetime, settings) -> HousekeepingReport:
    """Run every retention rule to the end, one committed batch at a time."""
    batch = settings.housekeeping_batch_size
    report = HousekeepingReport()
    report.emails, report.audit_entries = purge_old(now, settings.retention_days, batch)
    report.bounces = _in_batches(
        Bounce, Bounce.received_at < now - timedelta(days=settings.retention_days), batch
    )
    pending_cutoff = now - timedelta(days=settings.pending_retention_days)
    report.never_confirmed = _erase_in_batches(
        (
            Subscriber.status == "pending",
            func.coalesce(Subscriber.confirmation_sent_at, Subscriber.created_at) < pending_cutoff,
        ),
        now,
        batch,
        keep_hash=False,
    )
    left_cutoff = now - timedelta(days=settings.unsubscribed_retention_days)
    report.unsubscribed = _erase_in_batches(
        (Subscriber.status == "unsubscribed", Subscriber.unsubscribed_at < left_cutoff),
        now,
        batch,
        keep_hash=True,
    )
    return report


def purge_old(now: datetime, retention_days: int, batch: int = 1000) -> tuple[int, int]:
    """Delete finished outbox rows and audit entries older than retention_days.

    Safe for exactly-once: every run that could re-queue an old key is itself marked finished.
    """
    cutoff = now - timedelta(days=retention_days)
    outbox = _in_batches(Outbox, (Outbox.status.in_(FINISHED), Outbox.created_at < cutoff), batch)
    audit = _in_batches(AuditEntry, AuditEntry.at < cutoff, batch)
    return outbox, audit


def _in_batches(model, conditions, batch: int) -> int:
    """Delete the rows matching conditions, batch rows per transaction; return how many."""
    conditions = conditions if isinstance(conditions, tuple) else (conditions,)
    total = 0
    while True:
        ids = select(model.id).where(*conditions).order_by(model.id).limit(batch)
        # Materialised first: MySQL-style "IN (subquery with LIMIT)" is not portable.
        chosen = list(db.session.scalars(ids))
        if not chosen:
            return total
        db.session.execute(
            delete(model).where(model.id.in_(chosen)).execution_options(synchronize_session=False)
        )
        db.session.commit()
        total += len(chosen)


def _erase_in_batches(conditions, now: datetime, batch: int, keep_hash: bool) -> int:
    total = 0
    while True:
        people = list(
            db.session.scalars(
                select(Subscriber).where(*conditions).order_by(Subscriber.id).limit(batch)
            )
        )
        if not people:
            return total
        erase_many(people, now, "retention", keep_hash=keep_hash)
        db.session.commit()
        total += len(people)
