"""What the database says about the service's pulse, read in one round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Feed, Lock, Outbox
from notifier.schedules.locks import HEARTBEAT


@dataclass(frozen=True)
class Pulse:
    heartbeat_at: datetime | None  # the acting clock's last heartbeat; None: never seen
    oldest_due_at: datetime | None  # when the longest-waiting due email became due
    due: int  # queued emails due now
    last_poll_success_at: datetime | None  # the latest successful poll of any feed

    def age(self, moment: datetime | None, now: datetime) -> float | None:
        return None if moment is None else max(0.0, (now - moment).total_seconds())


def pulse(now: datetime) -> Pulse:
    """Heartbeat, queue and polls as of now; raises the database's error if it is away."""
    due = (Outbox.status == "queued", Outbox.next_attempt_at <= now)
    row = db.session.execute(
        select(
            select(Lock.until).where(Lock.name == HEARTBEAT).scalar_subquery(),
            select(func.min(Outbox.next_attempt_at)).where(*due).scalar_subquery(),
            select(func.count()).select_from(Outbox).where(*due).scalar_subquery(),
            select(func.max(Feed.last_success_at)).scalar_subquery(),
        )
    ).one()
    return Pulse(*row)
