"""Write one batch of planned rows with a handful of set-based statements."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, update

from notifier.extensions import db
from notifier.models import Outbox, Subscriber
from notifier.subscriptions.imports.bulk import Bulk, among
from notifier.subscriptions.imports.plan import SUBSCRIBER_STATE, Plan
from notifier.subscriptions.imports.write_confirmations import queue_confirmations
from notifier.subscriptions.imports.write_consent import record_consent
from notifier.subscriptions.imports.write_follows import change_follows

subscribers = Subscriber.__table__


def batch(plans: list[Plan], now: datetime) -> list[Plan]:
    """Write the plans; return those whose new address someone else added meanwhile.

    Those are left unwritten for the caller to plan again; everything else is written.
    """
    bulk = Bulk()
    raced = _add_subscribers(bulk, [plan for plan in plans if plan.kind == "new"], now)
    gone = {id(plan) for plan in raced}
    plans = [plan for plan in plans if id(plan) not in gone and plan.outcome != "kept"]
    _cancel_queued([plan for plan in plans if plan.cancel_reason and plan.kind != "new"])
    _change_state([plan for plan in plans if plan.state and plan.kind != "new"])
    change_follows(bulk, plans, now)
    record_consent(bulk, plans)
    queue_confirmations(bulk, [plan for plan in plans if plan.confirm], now)
    return raced


SUBSCRIBER_COLUMNS = (
    "email",
    "token_version",
    "bounce_score",
    "created_at",
    "confirmation_sent_at",
    *SUBSCRIBER_STATE,
)


def _add_subscribers(bulk: Bulk, plans: list[Plan], now: datetime) -> list[Plan]:
    if not plans:
        return []
    rows = [
        (
            plan.row.email,
            1,
            0,
            now,
            # A new address asked to confirm is asked now, with nothing to wait for.
            now if plan.confirm else None,
            *(plan.state[column] for column in SUBSCRIBER_STATE),
        )
        for plan in plans
    ]
    ids = dict(
        (email, subscriber_id)
        for subscriber_id, email in bulk.insert_new(
            subscribers, SUBSCRIBER_COLUMNS, rows, returning=("id", "email")
        )
    )
    raced = []
    for plan in plans:
        plan.subscriber_id = ids.get(plan.row.email)
        if plan.subscriber_id is None:
            raced.append(plan)
    return raced


def _cancel_queued(plans: list[Plan]) -> None:
    """Pending here, gone there: stop the confirmation requests already queued."""
    by_reason = defaultdict(list)
    for plan in plans:
        by_reason[plan.cancel_reason].append(plan.subscriber_id)
    for reason, ids in by_reason.items():
        db.session.execute(
            update(Outbox)
            .where(
                among(Outbox.subscriber_id, ids),
                Outbox.status == "queued",
                Outbox.claimed_by.is_(None),
            )
            .values(status="cancelled", last_error=reason)
            .execution_options(synchronize_session=False)
        )


def _change_state(plans: list[Plan]) -> None:
    # One executemany per set of columns changed.
    by_columns = defaultdict(list)
    for plan in plans:
        by_columns[tuple(sorted(plan.state))].append({"_id": plan.subscriber_id, **plan.state})
    for columns, rows in by_columns.items():
        db.session.execute(
            update(subscribers)
            .where(subscribers.c.id == bindparam("_id"))
            .values({column: bindparam(column) for column in columns}),
            rows,
        )
