"""Admin API: POST /api/v1/announcements."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, request

from notifier.extensions import csrf
from notifier.models import utcnow
from notifier.moments import BadMoment, parse_moment, rfc3339
from notifier.schedules.announcements import AnnouncementError, create_announcement, status
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
        "send_at": rfc3339(announcement.send_at),
        "strands": announcement.strands,
        "emails_queued": announcement.emails_queued,
    }, 201
