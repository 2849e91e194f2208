"""Calendars and feeds: answered from the render cache, and 304 when nothing changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, request

from notifier.models import utcnow
from notifier.publish import calendar, freshness
from notifier.publish.atom import strand_feed
from notifier.subscriptions.calendar_link import subscriber_for

bp = Blueprint("calendar", __name__)

ICS = "text/calendar"
ATOM = "application/atom+xml"
# Calendar programs poll every few hours; five minutes keeps shared caches honest.
MAX_AGE = 300


def site() -> calendar.Site:
    settings = current_app.config["NOTIFIER"]
    return calendar.Site(settings.site_name, settings.base_url, settings.tz)


def _cache() -> freshness.RenderCache:
    # One per app: tests run many apps (and databases) in one process.
    return current_app.extensions.setdefault("notifier.renders", freshness.RenderCache())


def published(
    key: tuple, make: Callable[[], bytes], mimetype: str, filename: str, private: bool = False
) -> Response:
    """Answer 304 to a request that has the current version, else the (cached) bytes."""
    version = freshness.content_version(utcnow())
    etag = hashlib.sha256(repr((version.tag, key)).encode()).hexdigest()[:32]
    response = Response(mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = version.modified
    response.cache_control.max_age = MAX_AGE
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if request.if_none_match.contains(etag) or (
        not request.if_none_match
        and request.if_modified_since
        and request.if_modified_since >= version.modified
    ):
        response.status_code = 304
        return response
    response.set_data(_cache().get((version.tag, key), make))
    return response


@bp.get("/deadlines.ics")
def deadlines_ics():
    """Every deadline that is neither cancelled nor passed, one event each."""
    return published(
        ("deadlines",),
        lambda: calendar.deadlines_calendar(site(), utcnow()),
        ICS,
        "deadlines.ics",
    )


@bp.get("/calendar.ics")
def calendar_ics():
    """Open deadlines and coming working-group meetings."""
    return published(
        ("calendar",), lambda: calendar.full_calendar(site(), utcnow()), ICS, "calendar.ics"
    )


@bp.get("/strands/<slug>/calendar.ics")
def strand_ics(slug: str):
    """One strand's deadlines and meetings. :raise 404: unknown or archived strand."""
    strand = calendar.active_strand(slug) or abort(404)
    return published(
        ("strand", strand.id),
        lambda: calendar.strand_calendar(site(), strand, utcnow()),
        ICS,
        f"{strand.slug}.ics",
    )


@bp.get("/strands/<slug>/feed.atom")
def strand_atom(slug: str):
    """One strand's updates as Atom. :raise 404: unknown or archived strand."""
    strand = calendar.active_strand(slug) or abort(404)
    return published(("atom", strand.id), lambda: strand_feed(site(), strand), ATOM, "feed.atom")


@bp.get("/calendar/<token>.ics")
def personal_ics(token: str):
    """A subscriber's own strands. :raise 404: a wrong, revoked or unsubscribed token."""
    subscriber = subscriber_for(token) or abort(404)
    strand_ids = tuple(sorted(sub.strand_id for sub in subscriber.subscriptions))
    return published(
        ("personal", strand_ids),
        lambda: calendar.personal_calendar(site(), list(strand_ids), utcnow()),
        ICS,
        "my-calendar.ics",
        private=True,
    )
