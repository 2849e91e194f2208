"""Feed commands, the deadline-correction API and the deadlines calendar, as operators see them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from notifier.admins import create_admin, issue_token
from notifier.extensions import db
from notifier.feeds.corrections import correct_deadline
from notifier.feeds.poll import poll_all
from notifier.models import AuditEntry, Update
from tests.support.feeds import RSS, feed_bytes, with_etag
from tests.support.http import Response

NOW = datetime(2031, 5, 10, 12, 0, tzinfo=UTC)
DRAFT = "https://policy.example.org/?p=101"
PAST = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Past</title>
<link>https://past.example.org/</link><description>d</description>
<item><title>Old consultation</title><link>https://past.example.org/1</link><guid>past-1</guid>
<pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>
<description>Comments are welcome until 31 January 2020.</description></item></channel></rss>"""


@pytest.fixture
def site(make_app, feed_server):
    """An app polling a good WordPress feed, a feed of past deadlines and a broken feed."""
    feed_server.routes.update(
        {
            "/wp": with_etag(feed_bytes("wordpress.xml"), '"wp"'),
            "/past": Response(PAST, headers={"Content-Type": RSS}),
            "/broken": Response(b"nope", 503),
        }
    )
    urls = [feed_server.url(p) for p in ("/wp", "/past", "/broken")]
    app = make_app(feed_urls=urls, timezone="Europe/London")
    with app.app_context():
        yield app


def test_poll_command_prints_a_line_per_feed_and_fails_if_one_did(site, feed_server):
    result = site.test_cli_runner().invoke(args=["poll", "--now", "2031-05-10T13:00:00+01:00"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1
    assert lines == [
        f"{feed_server.url('/wp')}: ok, 3 new, 0 changed",
        f"{feed_server.url('/past')}: ok, 1 new, 0 changed",
        f"{feed_server.url('/broken')}: error: HTTP 503 Service Unavailable",
    ]
    again = site.test_cli_runner().invoke(args=["poll"])
    assert f"{feed_server.url('/wp')}: not modified, 0 new, 0 changed" in again.output


def test_feeds_json_reports_health_with_offsets(site, feed_server):
    site.test_cli_runner().invoke(args=["poll", "--now", "2031-05-10T13:00:00+01:00"])
    result = site.test_cli_runner().invoke(args=["feeds", "--json"])
    assert result.exit_code == 0
    rows = {row["url"]: row for row in json.loads(result.output)}
    wp = rows[feed_server.url("/wp")]
    assert wp["last_success"] == "2031-05-10T13:00:00+01:00"
    assert wp["next_poll"] == "2031-05-10T13:15:00+01:00"
    assert (wp["last_error"], wp["consecutive_failures"]) == (None, 0)
    broken = rows[feed_server.url("/broken")]
    assert broken["last_success"] is None
    assert broken["last_error"] == "HTTP 503 Service Unavailable"
    assert broken["consecutive_failures"] == 1
    assert broken["next_poll"] == "2031-05-10T13:30:00+01:00"


def test_updates_json_lists_strands_and_deadlines(site):
    poll_all(NOW)
    result = site.test_cli_runner().invoke(args=["updates", "--json"])
    rows = {row["guid"]: row for row in json.loads(result.output)}
    draft = rows[DRAFT]
    assert draft["strands"] == ["fraud-error-debt"]
    assert draft["published"] == "2031-05-05T10:00:00+01:00"
    assert draft["deadline"] == "2031-05-30T17:00:00+01:00"
    assert draft["link"] == "https://policy.example.org/2031/05/fed-draft/"
    assert rows["https://policy.example.org/?p=99"]["deadline"] is None


def test_deadlines_set_command_corrects_and_cancels(site):
    poll_all(NOW)
    runner = site.test_cli_runner()
    result = runner.invoke(args=["deadlines", "set", DRAFT, "2031-06-02"])
    assert result.exit_code == 0, result.output
    assert "2031-06-02T23:59:59+01:00" in result.output
    result = runner.invoke(args=["deadlines", "set", DRAFT, "none"])
    assert "not a deadline" in result.output
    bad = runner.invoke(args=["deadlines", "set", DRAFT, "next tuesday"])
    assert bad.exit_code == 2 and "not an ISO 8601" in bad.output
    update = db.session.scalar(select(Update).where(Update.guid == DRAFT))
    assert update.deadline.cancelled and update.deadline.source == "admin"


def _token() -> str:
    create_admin("ops@example.org", "a long enough password 1")
    token = issue_token("ops@example.org")
    db.session.commit()
    return token


def test_deadline_api_corrects_audits_and_survives_polls(site, feed_server):
    poll_all(NOW)
    token = _token()
    update = db.session.scalar(select(Update).where(Update.guid == DRAFT))
    client = site.test_client()
    url = f"/api/v1/updates/{update.id}/deadline"
    auth = {"Authorization": f"Bearer {token}"}
    assert client.put(url, json={"deadline": "2031-06-06T12:00"}).status_code == 401
    response = client.put(url, json={"deadline": "2031-06-06T12:00"}, headers=auth)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["deadline"] == "2031-06-06T12:00:00+01:00"
    assert body["previous"] == "2031-05-30T17:00:00+01:00"
    assert (body["source"], body["version"], body["cancelled"]) == ("admin", 2, False)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "deadline.correct"))
    assert audit.actor == "ops@example.org" and audit.target == f"update:{update.id}"
    # The site edits the entry; the admin's date still stands.
    edited = feed_bytes("wordpress.xml").replace(b"30 May 2031", b"31 May 2031")
    feed_server.routes["/wp"] = Response(edited, headers={"Content-Type": RSS})
    [wp, *_] = poll_all(NOW)
    assert wp.changed == 1
    db.session.expire_all()
    deadline = db.session.get(Update, update.id).deadline
    assert deadline.at == datetime(2031, 6, 6, 11, 0, tzinfo=UTC) and deadline.version == 2
    cancelled = client.put(url, json={"deadline": None}, headers=auth).get_json()
    assert cancelled["deadline"] is None and cancelled["cancelled"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "JSON object"),
        ([], "JSON object"),
        ({"when": "2031-06-01"}, "JSON object"),
        ({"deadline": 20310601}, "ISO 8601 string or null"),
        ({"deadline": "first of June"}, "not an ISO 8601"),
    ],
)
def test_deadline_api_refuses_bad_bodies_and_changes_nothing(site, body, message):
    poll_all(NOW)
    token = _token()
    update = db.session.scalar(select(Update).where(Update.guid == DRAFT))
    kwargs = (
        {"data": body, "content_type": "application/json"}
        if isinstance(body, str)
        else {"json": body}
    )
    response = site.test_client().put(
        f"/api/v1/updates/{update.id}/deadline",
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )
    assert response.status_code == 400
    assert message in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Update, update.id).deadline.source == "parsed"
    missing = site.test_client().put(
        "/api/v1/updates/99999/deadline",
        headers={"Authorization": f"Bearer {token}"},
        json={"deadline": None},
    )
    assert missing.status_code == 404


def test_deadlines_ics_lists_open_deadlines_only(site):
    poll_all(NOW)
    cancelled = db.session.scalar(
        select(Update).where(Update.guid == "https://policy.example.org/?p=97")
    )
    correct_deadline(cancelled.id, datetime(2031, 7, 1, tzinfo=UTC), "ops", NOW)
    correct_deadline(cancelled.id, None, "ops", NOW)
    db.session.commit()
    response = site.test_client().get("/deadlines.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    # Past (January 2020) and cancelled deadlines are left out.
    assert len(events) == 1
    [event] = events
    assert event.decoded("dtstart") == datetime(2031, 5, 30, 16, 0, tzinfo=UTC)
    assert (
        str(event["summary"]) == "Comments due: Fraud, Error & Debt | Draft proposals for comment"
    )
    assert str(event["url"]) == "https://policy.example.org/2031/05/fed-draft/"
    assert "open for comment until 5pm on Friday 30 May 2031" in str(event["description"])
    uid = str(event["uid"])
    assert uid.startswith("deadline-") and uid.endswith("@notifier.test")
    # Moving the deadline keeps the UID and bumps SEQUENCE, so calendars replace the event.
    update = db.session.scalar(select(Update).where(Update.guid == DRAFT))
    correct_deadline(update.id, datetime(2031, 6, 2, 16, 0, tzinfo=UTC), "ops", NOW)
    db.session.commit()
    [moved] = Calendar.from_ical(site.test_client().get("/deadlines.ics").data).walk("VEVENT")
    assert str(moved["uid"]) == uid and int(moved["sequence"]) == 1
