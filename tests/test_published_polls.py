"""Polls of the calendars and feeds: no query while nothing changed, no cookie, never stale long."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import create_engine, event, text

from notifier.extensions import db
from notifier.feeds.corrections import correct_deadline
from notifier.subscriptions.calendar_link import issue
from tests.support.content import make_subscriber, make_update

PUBLIC = (
    "/deadlines.ics",
    "/calendar.ics",
    "/strands/research-statistics/calendar.ics",
    "/strands/research-statistics/feed.atom",
)
# Headers that differ between any two answers, however they are made.
PER_ANSWER = {"X-Request-ID", "Date"}
# Far enough ahead that the real clock (which the routes read) never reaches it.
DUE = "2031-06-13T16:00"


def _content():
    """A strand's update and a general one, each with a deadline; the general one is returned."""
    make_update("Research paper", "2031-05-01T09:00", ("research-statistics",), deadline=DUE)
    return make_update("General paper", "2031-05-01T09:00", (), deadline="2031-06-20T22:59")


@contextmanager
def _statements():
    """The SQL statements the app's engine runs inside the block."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _private_path() -> str:
    ada = make_subscriber("ada@example.org", ("research-statistics",))
    url = issue(ada, datetime.now(UTC))
    db.session.commit()
    return url.removeprefix("http://notifier.test")


def _headers(response) -> dict[str, str]:
    return {name: value for name, value in response.headers if name not in PER_ANSWER}


def test_a_poll_of_an_unchanged_document_runs_no_query_and_a_304_has_no_body(make_app):
    app = make_app(publish_cache_seconds=60)
    flask_requests = []  # requests that went through Flask's machinery (session, hooks, view)
    app.before_request(lambda: flask_requests.append(1))
    client = app.test_client()
    with app.app_context():
        _content()
        first = {path: client.get(path) for path in PUBLIC}  # renders, and fills the caches
        assert len(flask_requests) == len(PUBLIC)
        with _statements() as seen:
            for path, answer in first.items():
                etag = answer.headers["ETag"]
                again = client.get(path, headers={"If-None-Match": etag})
                assert again.status_code == 304 and again.data == b"", path
                assert "Last-Modified" not in again.headers  # a 304 describes no body
                plain = client.get(path)
                assert plain.status_code == 200 and plain.data == answer.data, path
                assert client.head(path).headers["Content-Length"] == str(len(answer.data))
        assert seen == [] and len(flask_requests) == len(PUBLIC)
        # A private calendar is one query, for its token: the version is the kept one.
        private = _private_path()
        client.get(private)
        with _statements() as seen:
            assert client.get(private).status_code == 200
        assert len(seen) == 1, seen


def test_the_fast_path_says_what_the_views_say(make_app):
    """An app that reads the version on every request never uses the fast path: same words."""
    cached, uncached = make_app(publish_cache_seconds=60), make_app(publish_cache_seconds=0)
    with cached.app_context():
        _content()
    clients = cached.test_client(), uncached.test_client()
    for path in PUBLIC:
        clients[0].get(path)  # now the cached app can answer from its caches
        plain = [client.get(path) for client in clients]
        assert _headers(plain[0]) == _headers(plain[1]) and plain[0].data == plain[1].data
        assert plain[0].headers["X-Request-ID"] != plain[1].headers["X-Request-ID"]
        etag = {"If-None-Match": plain[0].headers["ETag"], "X-Request-ID": "lb-1"}
        polls = [client.get(path, headers=etag) for client in clients]
        assert [poll.status_code for poll in polls] == [304, 304]
        assert _headers(polls[0]) == _headers(polls[1])
        assert polls[0].headers["X-Request-ID"] == "lb-1"
        heads = [client.head(path) for client in clients]
        assert _headers(heads[0]) == _headers(heads[1]) and heads[0].data == b""


def test_no_poll_sets_a_cookie_or_varies_on_one(app, client):
    _content()
    private = _private_path()
    client.get("/")  # a visitor who has a session (the form's CSRF token)
    assert client.get_cookie("session") is not None
    for path in (*PUBLIC, private):
        for _ in range(2):  # the first through the views, the second from the caches
            answer = client.get(path)
            poll = client.get(path, headers={"If-None-Match": answer.headers["ETag"]})
            assert (answer.status_code, poll.status_code) == (200, 304), path
            for response in (answer, poll):
                assert "Set-Cookie" not in response.headers, path
                assert "Cookie" not in response.headers.get("Vary", ""), path


def test_a_change_committed_here_shows_at_once_however_long_versions_are_kept(make_app):
    app = make_app(publish_cache_seconds=60)
    client = app.test_client()
    with app.app_context():
        general = _content()
        etag = client.get("/deadlines.ics").headers["ETag"]
        assert client.get("/deadlines.ics", headers={"If-None-Match": etag}).status_code == 304
        moved = datetime(2031, 6, 27, 22, 59, tzinfo=UTC)
        correct_deadline(general.id, moved, "ops", datetime.now(UTC))
        db.session.commit()
        answer = client.get("/deadlines.ics", headers={"If-None-Match": etag})
        assert answer.status_code == 200 and answer.headers["ETag"] != etag
        starts = [e.decoded("dtstart") for e in Calendar.from_ical(answer.data).walk("VEVENT")]
        assert moved in [start.astimezone(UTC) for start in starts]


def test_a_change_committed_by_another_process_shows_within_the_kept_seconds(make_app):
    app = make_app(publish_cache_seconds=0.5)
    client = app.test_client()
    with app.app_context():
        _content()
        etag = client.get("/calendar.ics").headers["ETag"]
    # Another process: its own connection to the database, unseen by this app's sessions.
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.begin() as conn:
        conn.execute(text("UPDATE deadlines SET version = version + 1"))
    other.dispose()
    time.sleep(0.6)
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 200


def test_what_the_fast_path_leaves_alone_still_passes_every_check(make_app):
    app = make_app(publish_cache_seconds=60)
    client = app.test_client()
    with app.app_context():
        _content()
    body = client.get("/calendar.ics").data
    assert client.get("/calendar.ics?x=%00").status_code == 400  # no NUL, even here
    assert client.get("/calendar.ics?utm_source=app").data == body
    assert client.post("/calendar.ics").status_code == 405
    missing = client.get("/strands/no-such-strand/calendar.ics")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
