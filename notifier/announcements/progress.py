"""What became of an announcement's emails: queued, sent, failed, bounced."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Announcement, Bounce, Outbox


@dataclass(frozen=True)
class Progress:
    state: str
    queued: int
    sent: int
    failed: int
    cancelled: int
    bounced: int

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.cancelled

    @property
    def finished(self) -> bool:
        """Nothing more will change by itself: every email has its outcome, or none will go."""
        return self.state in ("cancelled", "draft") or (self.state == "queued" and not self.queued)


def progress(item: Announcement) -> Progress:
    """Count its emails by status (from the outbox index) and the bounces reported for them."""
    counts = dict(
        db.session.execute(
            select(Outbox.status, func.count())
            .where(Outbox.announcement_id == item.id)
            .group_by(Outbox.status)
        ).all()
    )
    bounced = db.session.scalar(
        select(func.count(func.distinct(Bounce.outbox_id)))
        .join(Outbox, Outbox.id == Bounce.outbox_id)
        .where(Outbox.announcement_id == item.id, Bounce.kind.in_(("hard", "complaint")))
    )
    return Progress(
        state=item.state,
        queued=counts.get("queued", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        cancelled=counts.get("cancelled", 0),
        bounced=bounced or 0,
    )
