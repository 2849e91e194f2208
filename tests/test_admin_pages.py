"""Admin sign-in and the overview pages, as an admin meets them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.models import Deadline, Feed, Subscriber, Update, utcnow

PASSWORD = "a long admin password"


@pytest.fixture
def admin(app):
    return create_admin("ops@example.org", PASSWORD)


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
