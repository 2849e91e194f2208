"""Admin API: POST /api/v1/announcements."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, request

from notifier.extensions import csrf
from notifier.models import utcnow
from notifier.schedules.announcements import AnnouncementError, create_announcement, status
from notifier.web.auth import require_api_admin

bp = Blueprint("api_announcements", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def bad_request(fields: dict[str, str]):
    return {
        "error": "Bad Request",
        "message": "The announcement was not created: " + " ".join(fields.values()),
        "fields": fields,
    }, 400


def _send_at(raw) -> datetime | None:
    """An ISO 8601 moment; without an offset it is local time in NOTIFIER_TIMEZONE."""
    if raw is None or raw == "":
        return None
    moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    if moment is None:
        raise ValueError
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=current_app.config["NOTIFIER"].tz)
    return moment.astimezone(UTC)


@bp.post("/announcements")
@require_api_admin
def create():
    """Create an announcement; 201 with its id and status, 400 naming each bad field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return bad_request({"body": "Send a JSON object with subject and body."})
    try:
        send_at = _send_at(body.get("send_at"))
    except (TypeError, ValueError):
        return bad_request({"send_at": "send_at must be an ISO 8601 date and time."})
    strands = body.get("strands")
    try:
        announcement = create_announcement(
            subject=body.get("subject"),
            body_markdown=body.get("body"),
            strands=[] if strands is None else strands,
            send_at=send_at,
            admin=g.admin,
            now=utcnow(),
        )
    except AnnouncementError as exc:
        return bad_request(exc.errors)
    return {
        "id": announcement.id,
        "status": status(announcement),
        "send_at": announcement.send_at.isoformat(),
        "strands": announcement.strands,
        "emails_queued": announcement.emails_queued,
    }, 201
