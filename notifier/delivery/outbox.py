"""Queue emails: every email is a row with a unique key before anything is sent."""

from __future__ import annotations

from datetime import datetime

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Outbox, utcnow


def enqueue(
    key: str,
    kind: str,
    to_address: str,
    *,
    subscriber_id: int | None = None,
    payload: dict | None = None,
    now: datetime | None = None,
) -> bool:
    """Queue one email unless one with this key exists; return whether it was queued.

    Runs in the caller's transaction, so the email exists exactly when the change
    that caused it is committed.
    """
    now = now or utcnow()
    result = db.session.execute(
        insert_ignoring_duplicates(Outbox.__table__)
        .values(
            key=key,
            kind=kind,
            to_address=to_address,
            subscriber_id=subscriber_id,
            payload=payload or {},
            status="queued",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        .returning(Outbox.id)
    )
    return result.scalar() is not None
