"""Admin API: create an announcement, read its state and counts, cancel it."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, request

from notifier.announcements import audience
from notifier.announcements.drafts import AnnouncementError, save_draft
from notifier.announcements.preview import preview as build_preview
from notifier.announcements.progress import progress
from notifier.announcements.sending import (
    NotSent,
    cancel,
    confirm,
    create_announcement,
    send_if_due,
)
from notifier.extensions import csrf, db
from notifier.models import Announcement, utcnow
from notifier.moments import BadMoment, parse_moment, rfc3339
from notifier.settings import current_settings
from notifier.web.auth import require_api_admin
from notifier.web.problems import problem

bp = Blueprint("api_announcements", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def bad_request(fields: dict[str, str]):
    detail = "The announcement was not created: " + " ".join(fields.values())
    return problem(400, detail, fields=fields)


def _send_at(raw) -> datetime | None:
    """An ISO 8601 moment, read by notifier.moments' one rule; None when absent."""
    if raw is None or raw == "":
        return None
    return parse_moment(raw, current_settings().tz)


@bp.post("/announcements")
@require_api_admin
def create():
    """Create an announcement; 201 with its id and status, 400 naming each bad field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return bad_request({"body": "Send a JSON object with subject and body."})
    try:
        send_at = _send_at(body.get("send_at"))
    except BadMoment as exc:
        return bad_request({"send_at": f"send_at must be an ISO 8601 date and time: {exc}."})
    strands = body.get("strands")
    now = utcnow()
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        return bad_request({"draft": "draft must be true or false."})
    if draft:
        if send_at is not None:
            return bad_request({"send_at": "A draft has no send time: give it when sending."})
        try:
            item = save_draft(
                body.get("subject"),
                body.get("body"),
                [] if strands is None else strands,
                g.admin,
                now,
            )
        except AnnouncementError as exc:
            db.session.rollback()
            return bad_request(exc.errors)
        db.session.commit()
        return describe(item), 201
    try:
        announcement = create_announcement(
            subject=body.get("subject"),
            body_markdown=body.get("body"),
            strands=[] if strands is None else strands,
            send_at=send_at,
            admin=g.admin,
            now=now,
        )
    except AnnouncementError as exc:
        db.session.rollback()
        return bad_request(exc.errors)
    db.session.commit()
    send_if_due(announcement, now)
    return describe(announcement), 201


@bp.get("/announcements/<id:announcement_id>")
@require_api_admin
def show(announcement_id: int):
    """An announcement's state and what became of its emails.

    :raise 404: no such announcement.
    """
    return describe(_find(announcement_id))


@bp.get("/announcements/<id:announcement_id>/preview")
@require_api_admin
def preview_one(announcement_id: int):
    """The email as one recipient (`sample`, else the first) gets it, and how many it reaches.

    :raise 404: no such announcement, or `sample` is not among its recipients.
    """
    item = _find(announcement_id)
    wanted = request.args.get("sample") or None
    sample = audience.sample(item.strands, wanted)
    if wanted and sample is None:
        abort(404, description=f"{wanted} is not among the people this announcement reaches.")
    shown = build_preview(item, sample, utcnow()) if sample else None
    return {
        "id": item.id,
        "revision": item.revision,
        "recipients": audience.count(item.strands),
        "sample": sample.email if sample else None,
        "headers": dict(shown.headers) if shown else {},
        "text": shown.text if shown else None,
        "html": shown.html if shown else None,
    }


@bp.post("/announcements/<id:announcement_id>/send")
@require_api_admin
def send_one(announcement_id: int):
    """Confirm a draft's send, naming the revision checked: now, or at send_at.

    :raise 409: already confirmed, cancelled, or changed since that revision.
    """
    item = _find(announcement_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or type(body.get("revision")) is not int:
        return bad_request({"revision": 'Send {"revision": N}, the version you checked.'})
    try:
        send_at = _send_at(body.get("send_at"))
    except BadMoment as exc:
        return bad_request({"send_at": f"send_at must be an ISO 8601 date and time: {exc}."})
    now = utcnow()
    try:
        confirm(item, body["revision"], send_at, g.admin, now, audience.count(item.strands))
    except NotSent as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    send_if_due(item, now)
    return describe(item)


@bp.post("/announcements/<id:announcement_id>/cancel")
@require_api_admin
def cancel_one(announcement_id: int):
    """Cancel a scheduled announcement.

    :raise 404: no such announcement.
    :raise 409: its sending has started (or it was cancelled already).
    """
    item = _find(announcement_id)
    try:
        cancel(item, g.admin, utcnow())
    except NotSent as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    return describe(item)


def _find(announcement_id: int) -> Announcement:
    item = db.session.get(Announcement, announcement_id)
    if item is None:
        abort(404, description=f"There is no announcement {announcement_id}.")
    return item


def describe(item: Announcement) -> dict:
    counts = progress(item)
    return {
        "id": item.id,
        "subject": item.subject,
        "status": item.state,
        "send_at": rfc3339(item.send_at),
        "strands": item.strands,
        "confirmed_by": item.confirmed_by,
        "emails_queued": item.emails_queued,
        "queued": counts.queued,
        "sent": counts.sent,
        "failed": counts.failed,
        "cancelled": counts.cancelled,
        "bounced": counts.bounced,
    }
