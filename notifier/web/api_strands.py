"""Admin API: strands (list, add, change: rename, describe, keywords, order, archive)."""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from sqlalchemy import select

from notifier.extensions import csrf, db
from notifier.models import Strand
from notifier.strand_admin import StrandError, add_strand, as_json, change_strand
from notifier.web import page_cache
from notifier.web.auth import require_api_admin
from notifier.web.paging import answer, page_args
from notifier.web.problems import problem

bp = Blueprint("api_strands", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/strands")
@require_api_admin
def list_strands():
    """Every strand, archived ones too, in their listed order (one page holds them all)."""
    page_args()
    rows = db.session.scalars(select(Strand).order_by(Strand.position, Strand.id))
    return answer([as_json(strand) for strand in rows], None)


@bp.post("/strands")
@require_api_admin
def create_strand():
    """Add a strand; 201, 400 naming each bad field, 409 for a slug or name taken."""
    try:
        strand = add_strand(_body(), g.admin.email)
    except StrandError as exc:
        return _refused(exc)
    db.session.commit()
    page_cache.forget()
    return as_json(strand), 201


@bp.patch("/strands/<slug>")
@require_api_admin
def patch_strand(slug: str):
    """Change the fields given; `active: false` archives it, `true` brings it back."""
    strand = db.session.scalar(select(Strand).where(Strand.slug == slug))
    if strand is None:
        abort(404, description=f"There is no strand {slug!r}.")
    try:
        change_strand(strand, _body(), g.admin.email)
    except StrandError as exc:
        return _refused(exc)
    db.session.commit()
    page_cache.forget()
    return as_json(strand)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="Send a JSON object.")
    return body


def _refused(exc: StrandError):
    db.session.rollback()
    status = 409 if exc.conflict else 400
    return problem(
        status, "The strand was not saved: " + " ".join(exc.errors.values()), fields=exc.errors
    )
