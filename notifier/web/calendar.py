"""GET /deadlines.ics: open comment deadlines for calendar apps."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from notifier.feeds.calendar import deadlines_calendar
from notifier.models import utcnow

bp = Blueprint("calendar", __name__)


@bp.get("/deadlines.ics")
def deadlines_ics():
    """Every deadline that is neither cancelled nor passed, one event each."""
    settings = current_app.config["NOTIFIER"]
    body = deadlines_calendar(utcnow(), settings.site_name, settings.base_url)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
