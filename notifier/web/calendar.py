"""Calendars and feeds, when the fast path in web/published.py cannot answer from its caches.

These views render (once per version) and fill the caches; their answers are the fast path's
word for word, since both are made by the functions in web/published.py.
"""

from __future__ import annotations

from flask import Blueprint, abort

from notifier.extensions import db, limiter
from notifier.models import Strand, utcnow
from notifier.publish import calendar
from notifier.publish.atom import strand_feed
from notifier.settings import current_settings
from notifier.subscriptions.calendar_link import strands_for
from notifier.web import published

bp = Blueprint("calendar", __name__)


def site() -> calendar.Site:
    settings = current_settings()
    return calendar.Site(settings.site_name, settings.base_url, settings.tz)


# No rate limit counts a read, so the limiter need not even look (web/abuse.skip_exempt_views).
@bp.get("/deadlines.ics")
@limiter.exempt
def deadlines_ics():
    """Every deadline that is neither cancelled nor passed, one event each."""
    return published.respond(
        published.DEADLINES, lambda: calendar.deadlines_calendar(site(), utcnow())
    )


@bp.get("/calendar.ics")
@limiter.exempt
def calendar_ics():
    """Open deadlines and coming working-group meetings."""
    return published.respond(published.CALENDAR, lambda: calendar.full_calendar(site(), utcnow()))


@bp.get("/strands/<slug>/calendar.ics")
@limiter.exempt
def strand_ics(slug: str):
    """One strand's deadlines and meetings. :raise 404: unknown or archived strand."""
    version = published.current_version()
    strand_id = version.strands.get(slug) or abort(404)
    return published.respond(
        published.strand_calendar(strand_id, slug),
        lambda: calendar.strand_calendar(site(), db.session.get(Strand, strand_id), utcnow()),
        version,
    )


@bp.get("/strands/<slug>/feed.atom")
@limiter.exempt
def strand_atom(slug: str):
    """One strand's updates as Atom. :raise 404: unknown or archived strand."""
    version = published.current_version()
    strand_id = version.strands.get(slug) or abort(404)
    return published.respond(
        published.strand_atom(strand_id),
        lambda: strand_feed(site(), db.session.get(Strand, strand_id)),
        version,
    )


@bp.get("/calendar/<token>.ics")
@limiter.exempt
def personal_ics(token: str):
    """A subscriber's own strands. :raise 404: a wrong, revoked or unsubscribed token."""
    strand_ids = strands_for(token)
    if strand_ids is None:
        abort(404)
    return published.respond(
        published.personal(strand_ids),
        lambda: calendar.personal_calendar(site(), list(strand_ids), utcnow()),
    )
