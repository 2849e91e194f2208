"""GET /updates and /updates/<id>: the public archive, open for comment first."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Strand, utcnow
from notifier.moments import rfc3339
from notifier.publish import archive, words
from notifier.settings import current_settings

bp = Blueprint("archive", __name__)


MAX_PAGE = 1_000_000  # far past the last page; a bigger offset overflows the database's integer


def _page_number() -> int:
    raw = request.args.get("page", "1")
    # isdigit alone lets through digits int() cannot read, such as "²".
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, description=f"The page number must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def _strand() -> Strand | None:
    slug = request.args.get("strand")
    if not slug:
        return None
    strand = db.session.scalar(select(Strand).where(Strand.slug == slug, Strand.active))
    if strand is None:
        abort(404, description=f"There is no strand called {slug!r}.")
    return strand


def _helpers(now):
    tz = current_settings().tz
    return {
        "when": lambda at: words.moment(at, tz),
        "closes_in": lambda at: words.closes_in(at, now, tz),
        "iso": lambda at: rfc3339(at, tz),
        "meeting_time": lambda m: words.meeting_time(m.starts_at, m.ends_at, tz),
    }


@bp.get("/updates")
def updates_page():
    """Open for comment first (soonest first), then the rest newest first, paged."""
    now = utcnow()
    number = _page_number()
    strand = _strand()
    page = archive.archive_page(now, number, strand)
    if number > page.pages:
        abort(404, description=f"There are only {page.pages} pages of updates.")
    return render_template(
        "updates.html",
        page=page,
        strand=strand,
        strands=archive.active_strands(),
        meetings=archive.coming_meetings(now, strand) if number == 1 else [],
        **_helpers(now),
    )


@bp.get("/updates/<id:update_id>")
def update_page(update_id: int):
    """One update: its deadline, strands, meetings and calendar link. :raise 404: unknown."""
    now = utcnow()
    update, meetings = archive.update_with_meetings(update_id)
    if update is None:
        abort(404, description="There is no update with that number.")
    deadline = update.deadline if update.deadline and not update.deadline.cancelled else None
    return render_template(
        "update.html",
        update=update,
        deadline=deadline,
        meetings=meetings,
        now=now,
        **_helpers(now),
    )
