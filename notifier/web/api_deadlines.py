"""Admin API: correct an update's comment deadline."""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from notifier.extensions import csrf, db
from notifier.feeds.corrections import UnknownUpdate, correct_deadline, parse_deadline_input
from notifier.models import utcnow
from notifier.moments import rfc3339
from notifier.settings import current_settings
from notifier.web.auth import require_api_admin

bp = Blueprint("api_deadlines", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.put("/updates/<id:update_id>/deadline")
@require_api_admin
def put_deadline(update_id: int):
    """Set the deadline from JSON {"deadline": ISO 8601 or null}; null means "not a deadline".

    :raise 400: the body is not that JSON object.
    :raise 404: no such update.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "deadline" not in body:
        abort(400, description='Send a JSON object {"deadline": ISO 8601 date-time or null}.')
    value = body["deadline"]
    if value is not None and not isinstance(value, str):
        abort(400, description='"deadline" must be an ISO 8601 string or null.')
    settings = current_settings()
    try:
        at = None if value is None else parse_deadline_input(value, settings.tz)
        deadline = correct_deadline(update_id, at, g.admin.email, utcnow())
    except ValueError as exc:
        abort(400, description=str(exc))
    except UnknownUpdate as exc:
        abort(404, description=str(exc))
    db.session.commit()
    return {
        "update_id": update_id,
        "deadline": None if deadline.cancelled else rfc3339(deadline.at, settings.tz),
        "previous": rfc3339(deadline.previous_at, settings.tz) if deadline.previous_at else None,
        "source": deadline.source,
        "version": deadline.version,
        "cancelled": deadline.cancelled,
    }
