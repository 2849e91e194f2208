"""Calendars and strand feeds as calendar programs and feed readers see them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import feedparser
from icalendar import Calendar

from notifier.extensions import db
from notifier.feeds.corrections import correct_deadline
from notifier.models import Meeting, Strand
from notifier.subscriptions.tokens import make_token
from tests.support.content import make_subscriber, make_update, strand
from tests.support.pages import csrf_token

# Far enough ahead that the real clock (which the routes read) never reaches it.
SOON = "2031-05-01T09:00"


def _events(response) -> dict[str, object]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return {str(e["summary"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def _meeting(slug: str | None, title: str, start: datetime, status: str = "confirmed"):
    meeting = Meeting(
        strand=strand(slug) if slug else None,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Online",
        registration_url="https://tickets.example.org/1",
        status=status,
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _content(app):
    """An update per strand and a general one, each with a deadline, plus meetings."""
    fraud = make_update("Fraud paper", SOON, ("fraud-error-debt",), deadline="2031-06-06T22:59")
    research = make_update(
        "Research paper", SOON, ("research-statistics",), deadline="2031-06-13T16:00"
    )
    general = make_update("General paper", SOON, (), deadline="2031-06-20T22:59")
    make_update("Past paper", SOON, ("fraud-error-debt",), deadline="2020-01-31T23:59")
    _meeting("fraud-error-debt", "Fraud working group", datetime(2031, 6, 2, 9, tzinfo=UTC))
    _meeting("research-statistics", "Research working group", datetime(2031, 6, 3, 9, tzinfo=UTC))
    _meeting(
        "fraud-error-debt",
        "Proposed, not confirmed",
        datetime(2031, 6, 4, 9, tzinfo=UTC),
        status="proposed",
    )
    return fraud, research, general


def test_calendar_holds_open_deadlines_and_confirmed_meetings_at_the_right_instants(app, client):
    _content(app)
    events = _events(client.get("/calendar.ics"))
    assert set(events) == {
        "Comments due: Fraud paper",
        "Comments due: Research paper",
        "Comments due: General paper",
        "Fraud working group",
        "Research working group",
    }
    fraud = events["Comments due: Fraud paper"]
    assert fraud.decoded("dtstart").astimezone(UTC) == datetime(2031, 6, 6, 22, 59, tzinfo=UTC)
    # Times carry the site's zone, with its VTIMEZONE, as Outlook and Apple want.
    assert fraud["dtstart"].params["TZID"] == "Europe/London"
    assert b"BEGIN:VTIMEZONE" in client.get("/calendar.ics").data
    meeting = events["Fraud working group"]
    assert meeting.decoded("dtstart").astimezone(UTC) == datetime(2031, 6, 2, 9, tzinfo=UTC)
    assert meeting.decoded("dtend").astimezone(UTC) == datetime(2031, 6, 2, 11, tzinfo=UTC)
    assert str(meeting["url"]) == "https://tickets.example.org/1"
    assert str(meeting["location"]) == "Online"
    # Each deadline links to its update's page here.
    assert "http://notifier.test/updates/" in str(fraud["description"])
    only_deadlines = _events(client.get("/deadlines.ics"))
    assert set(only_deadlines) == {
        "Comments due: Fraud paper",
        "Comments due: Research paper",
        "Comments due: General paper",
    }


def test_strand_calendar_holds_its_strand_and_general_items_and_404s_otherwise(app, client):
    _content(app)
    events = _events(client.get("/strands/fraud-error-debt/calendar.ics"))
    assert set(events) == {
        "Comments due: Fraud paper",
        "Comments due: General paper",
        "Fraud working group",
    }
    assert client.get("/strands/no-such-strand/calendar.ics").status_code == 404
    strand("fraud-error-debt").active = False
    db.session.commit()
    assert client.get("/strands/fraud-error-debt/calendar.ics").status_code == 404
    assert client.get("/strands/fraud-error-debt/feed.atom").status_code == 404


def test_a_moved_deadline_keeps_its_uid_bumps_sequence_and_changes_the_etag(app, client):
    fraud, _, _ = _content(app)
    first = client.get("/calendar.ics")
    before = _events(first)["Comments due: Fraud paper"]
    etag = first.headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    correct_deadline(fraud.id, datetime(2031, 6, 9, 22, 59, tzinfo=UTC), "ops", datetime.now(UTC))
    db.session.commit()  # as the admin page does
    db.session.commit()
    second = client.get("/calendar.ics", headers={"If-None-Match": etag})
    after = _events(second)["Comments due: Fraud paper"]
    assert second.headers["ETag"] != etag
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2031, 6, 9, 22, 59, tzinfo=UTC)


def test_every_calendar_and_feed_answers_304_to_a_conditional_request(app, client):
    _content(app)
    for path in (
        "/deadlines.ics",
        "/calendar.ics",
        "/strands/research-statistics/calendar.ics",
        "/strands/research-statistics/feed.atom",
    ):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["ETag"], path
        assert first.headers["Last-Modified"], path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
        since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304, path
        stale = client.get(path, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and stale.data == first.data, path
    # A new update is news: the old validators no longer match.
    etag = client.get("/strands/research-statistics/feed.atom").headers["ETag"]
    make_update("Another research note", "2031-05-02T09:00", ("research-statistics",))
    fresh = client.get("/strands/research-statistics/feed.atom", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and b"Another research note" in fresh.data


def test_a_meeting_change_reaches_the_cached_calendar(app, client):
    _content(app)
    etag = client.get("/calendar.ics").headers["ETag"]
    meeting = db.session.query(Meeting).filter_by(title="Fraud working group").one()
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    meeting.sequence += 1
    db.session.commit()
    response = client.get("/calendar.ics", headers={"If-None-Match": etag})
    moved = _events(response)["Fraud working group"]
    assert moved.decoded("dtstart").astimezone(UTC) == datetime(2031, 6, 3, 9, tzinfo=UTC)
    assert int(moved["sequence"]) == 1


def test_strand_feed_is_valid_atom_with_its_strand_and_general_updates(app, client):
    _content(app)
    response = client.get("/strands/fraud-error-debt/feed.atom")
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title.endswith("Fraud, Error & Debt")
    assert parsed.feed.id == "http://notifier.test/strands/fraud-error-debt/feed.atom"
    assert parsed.feed.author == "Data sharing open policy updates"
    assert parsed.feed.updated_parsed
    titles = [entry.title for entry in parsed.entries]
    assert sorted(titles) == ["Fraud paper", "General paper", "Past paper"]
    for entry in parsed.entries:
        assert entry.id.startswith("http://notifier.test/updates/")
        assert entry.link.startswith("https://policy.example.org/updates/")
        assert entry.updated_parsed


def _manage(client, subscriber):
    return f"/manage/{make_token('manage', subscriber.id, subscriber.token_version)}"


def _calendar_url(client, page: str) -> str | None:

    found = re.search(
        r'id="calendar-url" type="text" readonly value="([^"]+)"', client.get(page).text
    )
    return found.group(1) if found else None


def test_private_calendar_holds_only_the_subscribers_strands_and_can_be_revoked(app, client):
    _content(app)
    ada = make_subscriber("ada@example.org", ("research-statistics",))
    page = _manage(client, ada)
    assert _calendar_url(client, page) is None
    made = client.post(
        page + "/calendar", data={"csrf_token": csrf_token(client, page), "action": "new"}
    )
    assert made.status_code == 303
    url = _calendar_url(client, page)
    path = url.removeprefix("http://notifier.test")
    assert len(path.split("/")[-1]) >= 40
    events = _events(client.get(path))
    assert set(events) == {
        "Comments due: Research paper",
        "Comments due: General paper",
        "Research working group",
    }
    assert "private" in client.get(path).headers["Cache-Control"]
    assert client.get(path[:-8] + "AAAAAAAA.ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    # A new link stops the old one.
    client.post(page + "/calendar", data={"csrf_token": csrf_token(client, page), "action": "new"})
    newer = _calendar_url(client, page).removeprefix("http://notifier.test")
    assert newer != path
    assert client.get(path).status_code == 404
    assert client.get(newer).status_code == 200
    client.post(page + "/calendar", data={"csrf_token": csrf_token(client, page), "action": "off"})
    assert client.get(newer).status_code == 404
    assert _calendar_url(client, page) is None


def test_archived_strands_are_left_out_of_nothing_else(app, client):
    """Archiving one strand leaves the other strands' feeds and the whole calendar working."""
    _content(app)
    db.session.get(Strand, strand("fraud-error-debt").id).active = False
    db.session.commit()
    assert client.get("/strands/research-statistics/feed.atom").status_code == 200
    assert client.get("/calendar.ics").status_code == 200
