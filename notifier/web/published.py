"""Answering for the calendars and feeds: 304 when nothing changed, else the cached bytes.

Calendar programs and feed readers poll forever and almost always have what we have. A poll
needs none of a page's machinery (no session, form, rate limit or template), so a plain
GET or HEAD of a public calendar or feed is answered before Flask whenever this process
already has what it takes: a fresh kept version (publish/kept.py) and, for a 200, the
rendered bytes. Anything else (the first request after a change, an unknown strand, a query
string, a body, the private calendars) goes through Flask to the views in web/calendar.py,
which answer in the same words through the same functions here, and fill the caches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, Response, current_app, has_app_context, request
from sqlalchemy import event
from werkzeug.http import http_date, parse_date, parse_etags

from notifier.extensions import db
from notifier.logs.requests import request_id
from notifier.models import utcnow
from notifier.publish.freshness import RenderCache, Version
from notifier.publish.kept import Keeper

ICS = "text/calendar"
ATOM = "application/atom+xml"
# Calendar programs poll every few hours; five minutes keeps shared caches honest.
MAX_AGE = 300
KEEPER, RENDERS = "notifier.published.keeper", "notifier.published.renders"


@dataclass(frozen=True)
class Document:
    key: tuple  # which document, for its ETag and the render cache
    mimetype: str
    filename: str
    private: bool = False


DEADLINES = Document(("deadlines",), ICS, "deadlines.ics")
CALENDAR = Document(("calendar",), ICS, "calendar.ics")


def strand_calendar(strand_id: int, slug: str) -> Document:
    return Document(("strand", strand_id), ICS, f"{slug}.ics")


def strand_atom(strand_id: int) -> Document:
    return Document(("atom", strand_id), ATOM, "feed.atom")


def personal(strand_ids: tuple[int, ...]) -> Document:
    return Document(("personal", strand_ids), ICS, "my-calendar.ics", private=True)


def public_document(path: str, strands: Mapping[str, int]) -> Document | None:
    """The public document at path, from the active strands' slugs alone; None if not one."""
    if path == "/deadlines.ics":
        return DEADLINES
    if path == "/calendar.ics":
        return CALENDAR
    parts = path.split("/")  # "", "strands", slug, name
    if len(parts) == 4 and parts[1] == "strands" and parts[2] in strands:
        if parts[3] == "calendar.ics":
            return strand_calendar(strands[parts[2]], parts[2])
        if parts[3] == "feed.atom":
            return strand_atom(strands[parts[2]])
    return None


def validators(version: Version, document: Document) -> tuple[str, list[tuple[str, str]]]:
    """The ETag, and the headers every answer about this document carries, 304 or 200."""
    etag = hashlib.sha256(repr((version.tag, document.key)).encode()).hexdigest()[:32]
    scope = "private" if document.private else "public"
    return etag, [
        ("ETag", f'"{etag}"'),
        ("Cache-Control", f"{scope}, max-age={MAX_AGE}"),
        ("Content-Disposition", f'inline; filename="{document.filename}"'),
    ]


def unchanged(environ, etag: str, version: Version) -> bool:
    """True when the client already has this version: If-None-Match, else If-Modified-Since."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match:
        return parse_etags(match).contains(etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and since >= version.modified


def entity(document: Document, version: Version, body: bytes) -> list[tuple[str, str]]:
    """What only a 200 carries: a 304 has no body to describe (RFC 9110, 15.4.5)."""
    return [
        ("Content-Type", f"{document.mimetype}; charset=utf-8"),
        ("Last-Modified", http_date(version.modified)),
        ("Content-Length", str(len(body))),
    ]


def respond(document: Document, make: Callable[[], bytes], version: Version | None = None):
    """The Flask answer: 304 to a client that has the current version, else the bytes."""
    app = current_app._get_current_object()
    version = version or current_version()
    etag, headers = validators(version, document)
    if unchanged(request.environ, etag, version):
        return Response(status=304, headers=headers)
    body = app.extensions[RENDERS].get((version.tag, document.key), make)
    return Response(body, headers=headers + entity(document, version, body))


def current_version() -> Version:
    """The kept version, or one read now; inside a request or app context."""
    return current_app.extensions[KEEPER].read(utcnow())


class FastPath:
    """WSGI: answer a poll of a public calendar or feed from this process's caches alone."""

    def __init__(self, app: Flask, wsgi_app, headers: dict[str, str]):
        self.wsgi_app = wsgi_app
        self.keeper: Keeper = app.extensions[KEEPER]
        self.renders: RenderCache = app.extensions[RENDERS]
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        answer = self.answer(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        headers += self.headers
        headers.append(("X-Request-ID", request_id(environ.get("HTTP_X_REQUEST_ID", ""))))
        start_response(status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def answer(self, environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        path = environ.get("PATH_INFO", "")
        if (
            not path.endswith((".ics", ".atom"))
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            # Flask's own hooks look at a query string or a body: leave those to them.
            or environ.get("QUERY_STRING")
            or environ.get("CONTENT_LENGTH", "0").strip("0 ")
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return None
        version = self.keeper.fresh()
        document = version and public_document(path, version.strands)
        if document is None:
            return None
        etag, headers = validators(version, document)
        if unchanged(environ, etag, version):
            return "304 NOT MODIFIED", headers, b""
        body = self.renders.peek((version.tag, document.key))
        if body is None:
            return None
        return "200 OK", headers + entity(document, version, body), body


def init_app(app: Flask, headers: dict[str, str]) -> None:
    app.extensions[KEEPER] = Keeper(app.config["NOTIFIER"].publish_cache_seconds)
    app.extensions[RENDERS] = RenderCache()
    if not event.contains(db.session, "after_commit", _forget_kept):
        event.listen(db.session, "after_commit", _forget_kept)
    app.wsgi_app = FastPath(app, app.wsgi_app, headers)


def _forget_kept(_session) -> None:
    # After the commit, not before: a version read from now on sees what was committed.
    keeper = current_app.extensions.get(KEEPER) if has_app_context() else None
    if keeper is not None:
        keeper.forget()
