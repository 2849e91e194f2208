"""Evidence of consent: what someone agreed to, when, and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber

# Bump FORM_VERSION whenever WORDING or the form's choices change, so each record says
# exactly which words the person agreed to.
FORM_VERSION = "2026-11-25"
WORDING = (
    "Send me the updates I have chosen by email. I can change my choices or unsubscribe "
    "at any time from a link in every email."
)


@dataclass(frozen=True)
class Origin:
    """Where a request came from: kept with consent records, never shown to anyone else."""

    ip: str | None
    user_agent: str | None
    source: str  # "web form", "api", "confirm link", "manage page", "one-click"...


def record(subscriber: Subscriber, action: str, origin: Origin, now: datetime) -> ConsentRecord:
    """Add a consent record of the subscriber's choices as they now stand, strand by strand."""
    entry = ConsentRecord(
        subscriber_id=subscriber.id,
        action=action,
        created_at=now,
        ip=origin.ip,
        user_agent=(origin.user_agent or "")[:500] or None,
        source=origin.source,
        form_version=FORM_VERSION,
        wording=WORDING,
        strands=[sub.strand.slug for sub in subscriber.preferences],
        preferences=[
            {"strand": sub.strand.slug, "frequency": sub.frequency, "reminders": sub.reminders}
            for sub in subscriber.preferences
        ],
    )
    db.session.add(entry)
    return entry
