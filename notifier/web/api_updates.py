"""Admin API: updates, newest first, with strands and deadline; cursor pagination."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from notifier.publish.listing import as_json, updates_page
from notifier.web.auth import require_api_admin
from notifier.web.paging import answer, page_args

bp = Blueprint("api_updates", __name__, url_prefix="/api/v1")


@bp.get("/updates")
@require_api_admin
def list_updates():
    """A page of updates (`q` searches titles); `next` is the cursor of the following page."""
    after, limit = page_args()
    rows, next_after = updates_page(request.args.get("q", ""), after, limit)
    tz = current_app.config["NOTIFIER"].tz
    return answer([as_json(update, tz) for update in rows], next_after)
