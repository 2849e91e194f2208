"""Admin sign-in and the overview pages, as an admin meets them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.feeds.poll import poll_all
from notifier.models import (
    AuditEntry,
    Deadline,
    Feed,
    Subscriber,
    Update,
    utcnow,
)
from tests.support.admin import announce
from tests.support.content import make_subscriber
from tests.support.http import Response

PASSWORD = "a long admin password"


@pytest.fixture
def admin(app):
    admin = create_admin("ops@example.org", PASSWORD)
    db.session.commit()  # as `notifier admin create` does
    return admin


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html)[1]


def sign_in(client, email="ops@example.org", password=PASSWORD, next_path=None):
    page = client.get("/admin/login")
    query = f"?next={next_path}" if next_path else ""
    return client.post(
        f"/admin/login{query}",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )


def test_pages_need_a_sign_in(client, admin):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_sign_in_shows_the_overview(client, admin):
    db.session.add(Subscriber(email="a@example.org", status="confirmed"))
    db.session.add(Subscriber(email="b@example.org", status="pending"))
    feed = Feed(url="https://site.example.org/feed", consecutive_failures=2, last_error="HTTP 500")
    db.session.add(feed)
    db.session.flush()
    update = Update(
        feed_id=feed.id,
        guid="g1",
        title="Draft proposals for comment",
        link="https://site.example.org/p1",
        content_hash="x",
    )
    db.session.add(update)
    db.session.flush()
    db.session.add(
        Deadline(
            update_id=update.id,
            at=utcnow() + timedelta(days=3),
            sentence="Comments until Friday.",
            weekday_mismatch=True,
            low_confidence=True,
        )
    )
    db.session.commit()

    response = sign_in(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Signed in as ops@example.org" in page
    assert "<td>1</td><td>1</td><td>0</td><td>0</td>" in page  # confirmed, pending, ...
    assert "HTTP 500" in page
    assert "Draft proposals for comment" in page
    assert "does not match this date" in page
    assert "read from loose wording" in page


def test_wrong_password_or_address_get_the_same_answer(client, admin):
    wrong_password = sign_in(client, password="not the password at all")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong_password.status_code == unknown.status_code == 400
    assert "The email address or password is not right" in wrong_password.text
    assert "The email address or password is not right" in unknown.text
    assert client.get("/admin/").status_code == 302


def test_sign_in_without_csrf_token_is_refused(client, admin):
    response = client.post("/admin/login", data={"email": "ops@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_next_only_leads_inside_the_admin_area(client, admin):
    assert sign_in(client, next_path="/admin/subscribers").headers["Location"] == (
        "/admin/subscribers"
    )
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    assert sign_in(client, next_path="//evil.example/").headers["Location"] == "/admin/"


def test_subscriber_search(client, admin):
    db.session.add(
        Subscriber(email="reader@example.org", status="suppressed", suppressed_reason="hard bounce")
    )
    db.session.commit()
    sign_in(client)
    page = client.get("/admin/subscribers?q=READER").text
    assert "reader@example.org" in page
    assert "hard bounce" in page


def test_sign_out_ends_the_session(client, admin):
    sign_in(client)
    token = csrf_from(client.get("/admin/").text)
    client.post("/admin/logout", data={"csrf_token": token})
    assert client.get("/admin/").status_code == 302


def test_admin_corrects_a_deadline_and_polls_keep_it(make_app, feed_server):
    feed_server.routes["/feed"] = _one_entry_feed("for comment until end Friday 4th December 2026")
    app = make_app(feed_urls=[feed_server.url("/feed")])
    with app.app_context():
        create_admin("ops@example.org", PASSWORD)
        db.session.commit()
        client = app.test_client()
        poll_all(utcnow())
        update = db.session.scalar(select(Update))
        assert update.deadline.at.isoformat() == "2026-12-04T23:59:59+00:00"
        _correct_and_poll_again(client, feed_server, update)


def _correct_and_poll_again(client, feed_server, update):
    sign_in(client)
    form = client.get(f"/admin/updates/{update.id}/deadline")
    assert 'value="2026-12-04T23:59"' in form.text
    bad = client.post(
        f"/admin/updates/{update.id}/deadline",
        data={"deadline": "next week", "csrf_token": csrf_from(form.text)},
    )
    assert bad.status_code == 400
    assert "Enter the deadline as a date and time" in bad.text
    assert update.deadline.at.isoformat() == "2026-12-04T23:59:59+00:00"

    saved = client.post(
        f"/admin/updates/{update.id}/deadline",
        data={"deadline": "2026-12-11T17:00", "csrf_token": csrf_from(form.text)},
    )
    assert saved.status_code == 302
    feed_server.routes["/feed"] = _one_entry_feed("for comment until end Monday 7th December 2026")
    poll_all(utcnow())
    db.session.expire_all()
    assert update.deadline.at.isoformat() == "2026-12-11T17:00:00+00:00"
    assert update.deadline.source == "admin"
    assert update.deadline.corrected_by == "ops@example.org"


def test_the_announcement_list_shows_each_with_its_state(client, admin):
    make_subscriber("both@example.org", ("fraud-error-debt", "research-statistics"))
    announce("Workshop moved to 3 March", "Moved.", ["fraud-error-debt"], None, admin, utcnow())
    sign_in(client)
    listing = client.get("/admin/announcements").text
    assert "Workshop moved to 3 March" in listing and "<td>queued</td>" in listing
    assert "Write an announcement" in listing


def _one_entry_feed(sentence: str):
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <link>https://site.example.org/</link><description>d</description>
    <item><title>Draft proposals</title><link>https://site.example.org/p1</link>
    <guid>p1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate>
    <description>The paper is open {sentence}.</description></item></channel></rss>"""
    return Response(body.encode(), headers={"Content-Type": "application/rss+xml"})


def test_admin_lifts_a_suppression(client, admin):
    db.session.add(
        Subscriber(
            email="bounced@example.org",
            status="suppressed",
            confirmed_at=utcnow(),
            suppressed_at=utcnow(),
            suppressed_reason="hard bounce: 550",
            bounce_score=1,
        )
    )
    db.session.commit()
    sign_in(client)
    page = client.get("/admin/subscribers?q=bounced").text
    assert "Lift suppression" in page
    answer = client.post(
        "/admin/subscribers/unsuppress",
        data={"email": "bounced@example.org", "csrf_token": csrf_from(page)},
    )
    assert answer.status_code == 302
    after = client.get(answer.headers["Location"]).text
    assert "bounced@example.org is no longer suppressed; it is now confirmed" in after
    person = db.session.scalar(select(Subscriber).where(Subscriber.email == "bounced@example.org"))
    assert (person.status, person.bounce_score) == ("confirmed", 0)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "subscriber.unsuppress")
    )
    assert entry.actor == "ops@example.org"


def test_lifting_a_suppression_needs_the_csrf_token(client, admin):
    db.session.add(Subscriber(email="bounced@example.org", status="suppressed"))
    db.session.commit()
    sign_in(client)
    answer = client.post("/admin/subscribers/unsuppress", data={"email": "bounced@example.org"})
    assert answer.status_code == 400
    person = db.session.scalar(select(Subscriber).where(Subscriber.email == "bounced@example.org"))
    assert person.status == "suppressed"
