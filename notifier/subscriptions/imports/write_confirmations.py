"""Queue the confirmation requests of a batch: new addresses, and pending ones once a window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update

from notifier.extensions import db
from notifier.models import Outbox, Subscriber
from notifier.models.email_kinds import confirm_key
from notifier.subscriptions.imports.bulk import Bulk, among
from notifier.subscriptions.imports.plan import Plan
from notifier.subscriptions.notices import RESEND_WINDOW

subscribers = Subscriber.__table__
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


def queue_confirmations(bulk: Bulk, plans: list[Plan], now: datetime) -> None:
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
