"""Admin API: updates, newest first, with strands and deadline; cursor pagination."""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from notifier.extensions import csrf, db
from notifier.feeds.corrections import UnknownStrand, UnknownUpdate, set_strands
from notifier.models import utcnow
from notifier.publish.listing import as_json, updates_page
from notifier.settings import current_settings
from notifier.web.auth import require_api_admin
from notifier.web.paging import answer, page_args
from notifier.web.problems import problem

bp = Blueprint("api_updates", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/updates")
@require_api_admin
def list_updates():
    """A page of updates (`q` searches titles); `next` is the cursor of the following page."""
    after, limit = page_args()
    rows, next_after = updates_page(request.args.get("q", ""), after, limit)
    tz = current_settings().tz
    return answer([as_json(update, tz) for update in rows], next_after)


@bp.patch("/updates/<id:update_id>")
@require_api_admin
def patch_update(update_id: int):
    """Set the strands from JSON {"strands": [slug, …] or null}; null hands them back to polls.

    :raise 400: the body is not that object, or a slug names no strand.
    :raise 404: no such update.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "strands" not in body:
        abort(400, description='Send a JSON object {"strands": [strand slugs] or null}.')
    slugs = body["strands"]
    if slugs is not None and (
        not isinstance(slugs, list) or not all(isinstance(s, str) and s for s in slugs)
    ):
        return problem(
            400,
            '"strands" must be a list of strand slugs, or null.',
            fields={"strands": "Give a list of strand slugs, or null."},
        )
    try:
        update = set_strands(update_id, slugs, g.admin.email, utcnow())
    except UnknownUpdate as exc:
        abort(404, description=str(exc))
    except UnknownStrand as exc:
        db.session.rollback()
        return problem(400, f"The strands were not saved: {exc}.", fields={"strands": str(exc)})
    db.session.commit()
    return as_json(update, current_settings().tz) | {"strands_set_by": update.strands_set_by}
