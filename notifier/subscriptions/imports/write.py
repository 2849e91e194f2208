"""Write one batch of planned rows with a handful of set-based statements."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, or_, tuple_, update

from notifier.extensions import db
from notifier.models import ConsentRecord, Outbox, Subscriber, Subscription
from notifier.models.email_kinds import confirm_key
from notifier.subscriptions.imports.bulk import Bulk, among
from notifier.subscriptions.imports.plan import (
    CONSENT_COLUMNS,
    SUBSCRIBER_STATE,
    Plan,
    consent_record,
)
from notifier.subscriptions.notices import RESEND_WINDOW

subscribers = Subscriber.__table__
subscriptions = Subscription.__table__
FOLLOW_COLUMNS = (
    "subscriber_id",
    "strand_id",
    "frequency",
    "reminders",
    "created_at",
    "digested_until",
)
OUTBOX_COLUMNS = (
    "key",
    "kind",
    "to_address",
    "subscriber_id",
    "payload",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
)


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
    _change_follows(bulk, plans, now)
    _record_consent(bulk, plans)
    _queue_confirmations(bulk, [plan for plan in plans if plan.confirm], now)
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


def _change_follows(bulk: Bulk, plans: list[Plan], now: datetime) -> None:
    dropped = [(plan.subscriber_id, s) for plan in plans for s in plan.follows_dropped]
    if dropped:
        db.session.execute(
            delete(subscriptions).where(
                tuple_(subscriptions.c.subscriber_id, subscriptions.c.strand_id).in_(dropped)
            )
        )
    changed = [
        {
            "_subscriber": plan.subscriber_id,
            "_strand": strand_id,
            "frequency": follow.frequency,
            "reminders": follow.reminders,
            "digested_until": follow.digested_until,
        }
        for plan in plans
        for strand_id, follow in plan.follows_changed.items()
    ]
    if changed:
        db.session.execute(
            update(subscriptions)
            .where(
                and_(
                    subscriptions.c.subscriber_id == bindparam("_subscriber"),
                    subscriptions.c.strand_id == bindparam("_strand"),
                )
            )
            .values(
                frequency=bindparam("frequency"),
                reminders=bindparam("reminders"),
                digested_until=bindparam("digested_until"),
            ),
            changed,
        )
    added = [
        (
            plan.subscriber_id,
            strand_id,
            follow.frequency,
            follow.reminders,
            now,
            follow.digested_until,
        )
        for plan in plans
        for strand_id, follow in plan.follows_added.items()
    ]
    bulk.copy(subscriptions, FOLLOW_COLUMNS, added)


def _record_consent(bulk: Bulk, plans: list[Plan]) -> None:
    records = [
        consent_record(plan, action, moment, ip, source)
        for plan in plans
        for action, moment, ip, source in plan.consent
    ]
    bulk.copy(ConsentRecord.__table__, CONSENT_COLUMNS, records)


def _queue_confirmations(bulk: Bulk, plans: list[Plan], now: datetime) -> None:
    """A confirmation request for each address asked: new ones, and pending ones once a window.

    The window is claimed with a compare-and-set, as queue_confirmation() does, so a request
    queued by the sign-up form since the lookup is not doubled.
    """
    waiting = [plan.subscriber_id for plan in plans if plan.kind != "new"]
    claimed = set()
    if waiting:
        claimed = set(
            db.session.scalars(
                update(subscribers)
                .where(
                    among(subscribers.c.id, waiting),
                    or_(
                        subscribers.c.confirmation_sent_at.is_(None),
                        subscribers.c.confirmation_sent_at <= now - RESEND_WINDOW,
                    ),
                )
                .values(confirmation_sent_at=now)
                .returning(subscribers.c.id)
            )
        )
    emails = []
    for plan in plans:
        plan.confirm = plan.kind == "new" or plan.subscriber_id in claimed
        if plan.confirm:
            emails.append(
                (
                    confirm_key(plan.subscriber_id, now),
                    "confirm",
                    plan.row.email,
                    plan.subscriber_id,
                    {},
                    "queued",
                    0,
                    now,
                    now,
                )
            )
    if emails:
        bulk.insert_new(Outbox.__table__, OUTBOX_COLUMNS, emails)
