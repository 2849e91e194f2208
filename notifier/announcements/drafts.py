"""Write and edit an announcement's draft: subject, Markdown body, the strands it goes to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Admin, Announcement, AuditEntry, Strand

MAX_SUBJECT = 200


class AnnouncementError(ValueError):
    """The announcement is not valid; errors maps each bad field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def save_draft(
    subject,
    body_markdown,
    strands,
    admin: Admin | None,
    now: datetime,
    draft: Announcement | None = None,
) -> Announcement:
    """Store a new draft, or change one still in draft (its revision moves on); caller commits."""
    slugs = validate(subject, body_markdown, strands)
    if draft is not None and draft.state != "draft":
        raise AnnouncementError({"subject": "This announcement is no longer a draft."})
    if draft is None:
        draft = Announcement(
            created_by=admin.id if admin else None, created_at=now, send_at=now, emails_queued=0
        )
        draft.state, draft.revision = "draft", 1
        db.session.add(draft)
        action = "announcement.draft"
    else:
        draft.revision += 1
        action = "announcement.edit"
    draft.subject, draft.body_markdown, draft.strands = subject.strip(), body_markdown, slugs
    db.session.flush()
    audit(draft, admin, action, now, {"strands": slugs, "revision": draft.revision})
    db.session.flush()
    return draft


def validate(subject, body, strands) -> list[str]:
    """The chosen strand slugs, sorted; raise AnnouncementError naming every bad field."""
    errors = {}
    if not isinstance(subject, str) or not subject.strip():
        errors["subject"] = "Enter a subject."
    elif len(subject.strip()) > MAX_SUBJECT:
        errors["subject"] = f"The subject must be {MAX_SUBJECT} characters or fewer."
    elif "\n" in subject or "\r" in subject or "\x00" in subject:
        errors["subject"] = "The subject must be one line of text."
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Enter the body of the announcement."
    elif "\x00" in body:
        errors["body"] = "The body must be text (it holds a NUL character)."
    slugs: list[str] = []
    if not isinstance(strands, list) or not all(isinstance(s, str) for s in strands):
        errors["strands"] = "Strands must be a list of strand slugs."
    else:
        slugs = sorted(set(strands))
        known = set(db.session.scalars(select(Strand.slug).where(Strand.slug.in_(slugs))))
        if unknown := [slug for slug in slugs if slug not in known]:
            errors["strands"] = f"Unknown strand: {', '.join(unknown)}."
    if errors:
        raise AnnouncementError(errors)
    return slugs


def audit(item: Announcement, admin: Admin | None, action: str, now: datetime, detail: dict):
    db.session.add(
        AuditEntry(
            at=now,
            actor=admin.email if admin else "system",
            action=action,
            target=f"announcement:{item.id}",
            detail=detail,
        )
    )
