"""Admin API: create an announcement, read its state and counts, cancel it."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, g, request

from notifier.announcements.drafts import AnnouncementError
from notifier.announcements.progress import progress
from notifier.announcements.sending import NotSent, cancel, create_announcement, send_if_due
from notifier.extensions import csrf, db
from notifier.models import Announcement, utcnow
from notifier.moments import BadMoment, parse_moment, rfc3339
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
    return parse_moment(raw, current_app.config["NOTIFIER"].tz)


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
