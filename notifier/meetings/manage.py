"""What admins do with meetings: confirm or reject a proposal, add, edit and cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifier.extensions import db
from notifier.models import AuditEntry, Meeting


@dataclass(frozen=True)
class MeetingFields:
    strand_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    registration_url: str | None


def _audit(actor: str, action: str, meeting: Meeting, now: datetime) -> None:
    db.session.add(
        AuditEntry(
            actor=actor,
            action=action,
            target=f"meeting:{meeting.id}",
            detail={"title": meeting.title},
            at=now,
        )
    )


def confirm(meeting: Meeting, actor: str, now: datetime) -> None:
    """Publish a proposed (or rejected) meeting."""
    meeting.status = "confirmed"
    meeting.updated_at = now
    db.session.flush()
    _audit(actor, "meeting.confirm", meeting, now)


def reject(meeting: Meeting, actor: str, now: datetime) -> None:
    """Say a proposal is not a meeting; a later re-read of its update will not propose it again."""
    meeting.status = "rejected"
    meeting.updated_at = now
    _audit(actor, "meeting.reject", meeting, now)


def cancel(meeting: Meeting, actor: str, now: datetime) -> None:
    """Cancel a published meeting: calendars keep it as CANCELLED so they drop it."""
    meeting.status = "cancelled"
    meeting.sequence += 1
    meeting.updated_at = now
    _audit(actor, "meeting.cancel", meeting, now)


def save(meeting: Meeting | None, fields: MeetingFields, actor: str, now: datetime) -> Meeting:
    """Add a confirmed meeting (meeting None) or change one; a change bumps its SEQUENCE."""
    if meeting is None:
        meeting = Meeting(status="confirmed", sequence=0, created_at=now, source_text="")
        db.session.add(meeting)
        action = "meeting.add"
    else:
        action = "meeting.edit"
        if meeting.status != "proposed":
            meeting.sequence += 1
    meeting.strand_id = fields.strand_id
    meeting.title = fields.title
    meeting.starts_at = fields.starts_at
    meeting.ends_at = fields.ends_at
    meeting.place = fields.place
    meeting.registration_url = fields.registration_url
    meeting.updated_at = now
    db.session.flush()
    _audit(actor, action, meeting, now)
    return meeting
