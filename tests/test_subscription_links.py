"""The confirm, manage and unsubscribe pages, with good links and every kind of bad one."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import ConsentRecord, utcnow
from notifier.subscriptions.choices import Choices, pick_strands
from notifier.subscriptions.confirm import confirm
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.subscribe import subscribe
from notifier.subscriptions.tokens import make_token
from tests.support.content import preferences_of
from tests.support.pages import csrf_token, error_summary, outbox, subscriber

ORIGIN = Origin("192.0.2.7", "pytest", "test")


@pytest.fixture
def ada(app):
    subscribe(
        "ada@example.org",
        Choices.same(pick_strands(["research-statistics"]), "daily", True),
        ORIGIN,
        utcnow(),
    )
    db.session.commit()
    return subscriber("ada@example.org")


@pytest.fixture
def confirmed(ada):
    confirm(ada, ORIGIN, utcnow())
    db.session.commit()
    return ada


def token(purpose, person):
    return make_token(purpose, person.id, person.token_version)


def actions(person):
    return list(
        db.session.scalars(
            select(ConsentRecord.action)
            .where(ConsentRecord.subscriber_id == person.id)
            .order_by(ConsentRecord.id)
        )
    )


def test_confirm_get_changes_nothing_and_post_confirms(client, ada):
    url = f"/confirm/{token('confirm', ada)}"
    page = client.get(url)
    assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    assert subscriber("ada@example.org").status == "pending"
    done = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert done.status_code == 200 and "Subscription confirmed" in done.get_data(as_text=True)
    person = subscriber("ada@example.org")
    assert person.status == "confirmed" and person.confirmed_ip == "127.0.0.1"
    assert person.confirmed_at is not None
    assert actions(person) == ["subscribe", "confirm"]
    # Twice is harmless: the same page, no second record.
    again = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert again.status_code == 200 and "Subscription confirmed" in again.get_data(as_text=True)
    assert actions(subscriber("ada@example.org")) == ["subscribe", "confirm"]


def test_confirm_without_csrf_token_is_refused(client, ada):
    response = client.post(f"/confirm/{token('confirm', ada)}")
    assert response.status_code == 400
    assert subscriber("ada@example.org").status == "pending"


def old_token(purpose, person, age_seconds, monkeypatch):
    """A token signed age_seconds ago: itsdangerous reads the clock through get_timestamp."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age_seconds)
        return token(purpose, person)


def tampered(value):
    return value[:-2] + ("AA" if not value.endswith("AA") else "BB")


BAD_LINKS = {
    "tampered": lambda person, mp: tampered(token("confirm", person)),
    "garbage": lambda person, mp: "not-a-token",
    "expired": lambda person, mp: old_token("confirm", person, 8 * 24 * 3600, mp),
    "wrong purpose": lambda person, mp: token("unsubscribe", person),
    "unknown subscriber": lambda person, mp: make_token("confirm", 999, 1),
}


@pytest.mark.parametrize("kind", BAD_LINKS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_bad_confirm_links_get_400_with_a_way_to_a_fresh_link(
    client, ada, kind, method, monkeypatch
):
    url = f"/confirm/{BAD_LINKS[kind](ada, monkeypatch)}"
    data = {"csrf_token": csrf_token(client)} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This link does not work" in html
    assert 'action="/new-link"' in html and 'name="email"' in html
    assert "ada@example.org" not in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert subscriber("ada@example.org").status == "pending"


def test_six_day_old_confirm_link_still_works(client, ada, monkeypatch):
    url = f"/confirm/{old_token('confirm', ada, 6 * 24 * 3600, monkeypatch)}"
    assert client.get(url).status_code == 200


def test_expired_link_page_says_so(client, ada, monkeypatch):
    url = f"/confirm/{old_token('confirm', ada, 8 * 24 * 3600, monkeypatch)}"
    assert "has expired" in client.get(url).get_data(as_text=True)


def test_links_replayed_after_unsubscribe_stop_working(client, confirmed):
    manage = f"/manage/{token('manage', confirmed)}"
    confirm_url = f"/confirm/{token('confirm', confirmed)}"
    unsubscribe = f"/unsubscribe/{token('unsubscribe', confirmed)}"
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    for url in (manage, confirm_url):
        response = client.get(url)
        assert response.status_code == 400
        assert "no longer valid" in response.get_data(as_text=True)
    # Subscribing again (pending) does not revive the old unsubscribe or confirm links.
    subscribe(
        "ada@example.org",
        Choices.same(pick_strands(["fraud-error-debt"]), "daily", True),
        ORIGIN,
        utcnow(),
    )
    db.session.commit()
    assert client.post(confirm_url, data={"csrf_token": csrf_token(client)}).status_code == 400
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert subscriber("ada@example.org").status == "pending"


def test_new_link_form_answers_the_same_for_known_and_unknown_addresses(client, confirmed):
    token_ = csrf_token(client, "/confirm/garbage")
    known = client.post("/new-link", data={"csrf_token": token_, "email": " ADA@example.org"})
    unknown = client.post("/new-link", data={"csrf_token": token_, "email": "who@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert [(row.kind, row.to_address) for row in outbox()][-1] == (
        "already_subscribed",
        "ada@example.org",
    )
    bad = client.post("/new-link", data={"csrf_token": token_, "email": "nope"})
    assert bad.status_code == 400
    assert error_summary(bad.get_data(as_text=True))[0][0] == "email"


def test_manage_shows_and_changes_preferences(client, confirmed):
    url = f"/manage/{token('manage', confirmed)}"
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'value="research-statistics"\s+checked', html)
    assert re.search(r'value="daily"\s+checked', html)
    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "strands": ["fraud-error-debt", "tailored-public-services"],
            "frequency": "immediate",
        },
    )
    assert saved.status_code == 200
    assert "Your preferences have been saved" in saved.get_data(as_text=True)
    person = subscriber("ada@example.org")
    assert preferences_of(person) == {
        "fraud-error-debt": ("immediate", False),
        "tailored-public-services": ("immediate", False),
    }
    assert person.status == "confirmed"
    change = db.session.scalars(select(ConsentRecord).where(ConsentRecord.action == "change")).one()
    assert change.source == "manage page"
    assert {p["frequency"] for p in change.preferences} == {"immediate"}


def test_manage_refuses_no_strands_and_keeps_the_old_ones(client, confirmed):
    url = f"/manage/{token('manage', confirmed)}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "frequency": "weekly"})
    assert response.status_code == 400
    assert ("strands-research-statistics", "Choose at least one strand") in error_summary(
        response.get_data(as_text=True)
    )
    person = subscriber("ada@example.org")
    assert preferences_of(person) == {"research-statistics": ("daily", True)}


def test_manage_without_csrf_is_refused(client, confirmed):
    url = f"/manage/{token('manage', confirmed)}"
    response = client.post(url, data={"strands": ["fraud-error-debt"], "frequency": "weekly"})
    assert response.status_code == 400
    assert preferences_of(subscriber("ada@example.org")) == {"research-statistics": ("daily", True)}


def test_unsubscribe_get_shows_a_button_and_changes_nothing(client, confirmed):
    response = client.get(f"/unsubscribe/{token('unsubscribe', confirmed)}")
    assert response.status_code == 200 and "<button" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert subscriber("ada@example.org").status == "confirmed"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_unsubscribe_without_cookie_or_csrf(app, confirmed, encoding):
    client = app.test_client(use_cookies=False)
    version = subscriber("ada@example.org").token_version
    url = f"/unsubscribe/{token('unsubscribe', confirmed)}"
    body = {"List-Unsubscribe": "One-Click"}
    if encoding == "multipart":
        response = client.post(url, data=body, content_type="multipart/form-data")
    else:
        response = client.post(url, data=body)
    assert response.request.headers.get("Cookie") is None
    assert response.status_code == 200 and "Location" not in response.headers
    assert "You are unsubscribed" in response.get_data(as_text=True)
    person = subscriber("ada@example.org")
    assert person.status == "unsubscribed" and person.unsubscribed_at is not None
    assert person.token_version == version + 1
    record = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.action == "unsubscribe")
    ).one()
    assert record.source == "one-click"
    # Repeating it (mail clients retry) is harmless, though the token version has moved on.
    again = client.post(url, data=body)
    assert again.status_code == 200 and "You are unsubscribed" in again.get_data(as_text=True)
    assert len(actions(person)) == 3
    assert client.get(url).status_code == 200


def test_unsubscribed_page_offers_to_subscribe_again_with_the_same_choices(client, confirmed):
    url = f"/unsubscribe/{token('unsubscribe', confirmed)}"
    html = client.post(url, data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/subscribe">.*?</form>', html, re.S)[0]
    fields = dict(re.findall(r'name="([\w-]+)" value="([^"]*)"', form))
    assert fields["email"] == "ada@example.org" and fields["strands"] == "research-statistics"
    fields.pop("csrf_token")
    response = client.post("/subscribe", data={**fields, "csrf_token": csrf_token(client)})
    assert "Check your inbox" in response.get_data(as_text=True)
    assert subscriber("ada@example.org").status == "pending"
    assert [row.kind for row in outbox()][-1] == "confirm"


def test_bad_unsubscribe_links_get_400(client, confirmed):
    for bad in ("garbage", tampered(token("unsubscribe", confirmed)), token("manage", confirmed)):
        response = client.post(f"/unsubscribe/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
    assert subscriber("ada@example.org").status == "confirmed"
