"""The second pass: each batch of checked rows looked up once, planned, and written at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Subscriber, Subscription
from notifier.schedules.immediate import sent_until
from notifier.subscriptions.imports import write
from notifier.subscriptions.imports.bulk import among
from notifier.subscriptions.imports.follows import Follow
from notifier.subscriptions.imports.plan import Existing, Plan, plan_row
from notifier.subscriptions.imports.row import Row
from notifier.subscriptions.imports.spool import Spool
from notifier.subscriptions.imports.strands import strand_refs

BATCH = 2000


OUTCOME_NAMES = {"asked": "awaiting_confirmation", "kept": "skipped"}


@dataclass
class ImportReport:
    """What an import did, or (dry run) would do."""

    rows: int = 0
    # By what happens to each person:
    confirmed: int = 0
    awaiting_confirmation: int = 0
    departed: int = 0
    skipped: int = 0
    # By what happens to the list:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Confirmation requests queued (new addresses, and pending ones past the resend window).
    confirmations: int = 0

    def count(self, plan: Plan) -> None:
        self.rows += 1
        name = OUTCOME_NAMES.get(plan.outcome, plan.outcome)
        self.__dict__[name] += 1
        self.__dict__[plan.kind] += 1

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def run(
    spool: Spool,
    now: datetime,
    *,
    apply: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the spooled rows in the caller's transaction (apply), or only say what it would do.

    The caller commits, or rolls back, the whole file at once.
    """
    strands = {strand.id: strand for strand in strand_refs(active_only=False)}
    cursor_start = cache(sent_until)
    report = ImportReport()
    for rows in spool.batches(BATCH, strands):
        plans = _plan(rows, now, cursor_start)
        if apply:
            raced = write.batch(plans, now)
            if raced:
                # Added by someone else since the lookup: plan those again as existing.
                again = _plan([plan.row for plan in raced], now, cursor_start)
                if write.batch(again, now):
                    raise RuntimeError("addresses added twice while importing")
                gone = {id(plan) for plan in raced}
                plans = [plan for plan in plans if id(plan) not in gone] + again
        for plan in plans:
            report.count(plan)
            report.confirmations += plan.confirm
        if progress:
            progress(report.rows)
    return report


def _plan(rows: list[Row], now: datetime, cursor_start) -> list[Plan]:
    existing = _existing([row.email for row in rows])
    return [plan_row(row, existing.get(row.email), now, cursor_start) for row in rows]


def _existing(emails: list[str]) -> dict[str, Existing]:
    """The batch's addresses already on the list, with the subscriptions of pending ones."""
    found = db.session.execute(
        select(Subscriber.email, Subscriber.id, Subscriber.status).where(
            among(Subscriber.email, emails)
        )
    ).all()
    if not found:
        return {}
    # Only a pending address is changed by a row: the rest need no more than their status,
    # which spares reading (and converting) the moments of every one of them.
    settled = {
        email: Existing(id=id_, status=status, **SETTLED)
        for email, id_, status in found
        if status != "pending"
    }
    pending = [id_ for _, id_, status in found if status == "pending"]
    if not pending:
        return settled
    follows: dict[int, dict[int, Follow]] = {}
    for sub in db.session.execute(
        select(
            Subscription.subscriber_id,
            Subscription.strand_id,
            Subscription.frequency,
            Subscription.reminders,
            Subscription.digested_until,
        ).where(among(Subscription.subscriber_id, pending))
    ):
        follows.setdefault(sub.subscriber_id, {})[sub.strand_id] = Follow(
            sub.frequency, sub.reminders, sub.digested_until
        )
    for row in db.session.execute(
        select(
            Subscriber.email,
            Subscriber.id,
            Subscriber.status,
            Subscriber.confirmed_at,
            Subscriber.unsubscribed_at,
            Subscriber.suppressed_at,
            Subscriber.suppressed_reason,
            Subscriber.confirmation_sent_at,
        ).where(among(Subscriber.id, pending))
    ):
        settled[row.email] = Existing(
            id=row.id,
            status=row.status,
            confirmed_at=row.confirmed_at,
            unsubscribed_at=row.unsubscribed_at,
            suppressed_at=row.suppressed_at,
            suppressed_reason=row.suppressed_reason,
            confirmation_sent_at=row.confirmation_sent_at,
            follows=follows.get(row.id, {}),
        )
    return settled


# What plan_row() never reads of an address that is not pending (it is left as it is).
SETTLED = dict.fromkeys(
    (
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppressed_reason",
        "confirmation_sent_at",
    )
)
