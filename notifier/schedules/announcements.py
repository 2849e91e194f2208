"""Announcements: validated, stored, and queued to their strands at once or at send_at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Admin, Announcement, AuditEntry, Strand
from notifier.models.email_kinds import AnnouncementPayload, announcement_prefix
from notifier.schedules.fanout import SUBSCRIBERS, follows, payload, queue_to

MAX_SUBJECT = 200


class AnnouncementError(ValueError):
    """The announcement is not valid; errors maps each bad field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def create_announcement(
    subject: str,
    body_markdown: str,
    strands: list[str],
    send_at: datetime | None,
    admin: Admin | None,
    now: datetime,
) -> Announcement:
    """Store an announcement and queue it now, or leave it for send_due at send_at."""
    slugs = _validate(subject, body_markdown, strands, send_at)
    announcement = Announcement(
        subject=subject.strip(),
        body_markdown=body_markdown,
        strands=slugs,
        created_by=admin.id if admin else None,
        created_at=now,
        send_at=send_at or now,
        emails_queued=0,
    )
    db.session.add(announcement)
    db.session.flush()
    db.session.add(
        AuditEntry(
            at=now,
            actor=admin.email if admin else "system",
            action="announcement.create",
            target=f"announcement:{announcement.id}",
            detail={"strands": slugs, "send_at": announcement.send_at.isoformat()},
        )
    )
    db.session.commit()
    if announcement.send_at <= now:
        queue(announcement, now)
    return announcement


def _validate(subject, body, strands, send_at) -> list[str]:
    errors = {}
    if not isinstance(subject, str) or not subject.strip():
        errors["subject"] = "Enter a subject."
    elif len(subject.strip()) > MAX_SUBJECT:
        errors["subject"] = f"The subject must be {MAX_SUBJECT} characters or fewer."
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = "The subject must be one line."
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Enter the body of the announcement."
    slugs: list[str] = []
    if not isinstance(strands, list) or not all(isinstance(s, str) for s in strands):
        errors["strands"] = "Strands must be a list of strand slugs."
    else:
        slugs = sorted(set(strands))
        known = set(db.session.scalars(select(Strand.slug).where(Strand.slug.in_(slugs))))
        if unknown := [slug for slug in slugs if slug not in known]:
            errors["strands"] = f"Unknown strand: {', '.join(unknown)}."
    if send_at is not None and (not isinstance(send_at, datetime) or send_at.tzinfo is None):
        errors["send_at"] = "send_at must be a date and time with a time zone."
    if errors:
        raise AnnouncementError(errors)
    return slugs


def send_due(now: datetime) -> list[Announcement]:
    """Queue every announcement whose send_at has come and that is not queued yet."""
    due = db.session.scalars(
        select(Announcement)
        .where(
            Announcement.queued_at.is_(None),
            Announcement.cancelled_at.is_(None),
            Announcement.send_at <= now,
        )
        .order_by(Announcement.send_at, Announcement.id)
    ).all()
    return [queue(announcement, now) for announcement in due]


def queue(announcement: Announcement, now: datetime) -> Announcement:
    """Queue one email per confirmed subscriber in any chosen strand (all if none chosen)."""
    where = [SUBSCRIBERS.c.status == "confirmed"]
    if announcement.strands:
        strand_ids = db.session.scalars(
            select(Strand.id).where(Strand.slug.in_(announcement.strands))
        ).all()
        where.append(follows(strand_ids))
    email = payload(AnnouncementPayload, announcement=announcement.id)
    queue_to(where, announcement_prefix(announcement.id), "announcement", email, now, announcement)
    # Marked only after every batch committed: a killed fan-out is finished by the next run.
    announcement.queued_at = now
    db.session.commit()
    return announcement


def status(announcement: Announcement) -> str:
    if announcement.cancelled_at:
        return "cancelled"
    return "queued" if announcement.queued_at else "scheduled"
