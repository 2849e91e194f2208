"""POST /subscribe as a visitor meets it: validation, the same answer for every address, abuse."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber
from notifier.subscriptions.consent import FORM_VERSION
from tests.support.content import preferences_of
from tests.support.pages import csrf_token, error_summary, outbox, submit, subscriber


def test_start_page_offers_strands_frequencies_reminders_and_privacy(client):
    html = client.get("/").get_data(as_text=True)
    for slug in ("research-statistics", "fraud-error-debt", "tailored-public-services"):
        assert f'name="strands" value="{slug}"' in html
    assert re.search(r'value="daily"\s+checked', html), "daily is preselected"
    assert re.search(r'id="reminders" name="reminders" value="y"[^>]*\s+checked', html, re.S)
    assert "Your privacy" in html and "record of your consent" in html
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert '<label for="email">' in html


def test_valid_submit_creates_pending_subscriber_consent_and_queued_confirmation(client):
    response = client.post(
        "/subscribe",
        data={
            "csrf_token": csrf_token(client),
            "email": "  Ada.Lovelace@Example.ORG ",
            "strands": ["research-statistics", "fraud-error-debt"],
            "frequency": "weekly",
        },
        headers={"User-Agent": "TestBrowser/1.0"},
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    person = subscriber("ada.lovelace@example.org")
    assert person.status == "pending"
    assert preferences_of(person) == {
        "fraud-error-debt": ("weekly", False),
        "research-statistics": ("weekly", False),
    }
    consent = db.session.scalars(select(ConsentRecord)).one()
    assert consent.action == "subscribe" and consent.source == "web form"
    assert consent.ip == "127.0.0.1" and consent.user_agent == "TestBrowser/1.0"
    assert consent.form_version == FORM_VERSION and consent.wording
    assert sorted(consent.strands) == ["fraud-error-debt", "research-statistics"]
    assert consent.preferences == [
        {"strand": "research-statistics", "frequency": "weekly", "reminders": False},
        {"strand": "fraud-error-debt", "frequency": "weekly", "reminders": False},
    ]
    [email] = outbox()
    assert (email.kind, email.to_address, email.status) == (
        "confirm",
        "ada.lovelace@example.org",
        "queued",
    )


def test_bad_fields_show_errors_beside_fields_with_a_summary_and_keep_values(client):
    token = csrf_token(client)
    response = client.post(
        "/subscribe",
        data={"csrf_token": token, "email": "not an address", "frequency": "hourly"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("Error:") >= 3 and "<title>Error:" in html
    assert error_summary(html) == [
        ("email", "Enter an email address in the correct format, like name@example.com"),
        ("strands-research-statistics", "Choose at least one strand"),
        ("frequency-immediate", "Choose how often you want to hear from us"),
    ]
    assert 'value="not an address"' in html
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert outbox() == []


def test_unknown_strand_is_refused_and_choices_are_kept(client):
    response = submit(client, strands=["research-statistics", "astrology"], frequency="weekly")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("strands-research-statistics", "Choose strands from the list") in error_summary(html)
    assert re.search(r'value="research-statistics"\s+checked', html)
    assert re.search(r'value="weekly"\s+checked', html)
    assert 'value="ada@example.org"' in html
    assert subscriber("ada@example.org") is None


def test_missing_csrf_token_is_a_clear_400_and_stores_nothing(client):
    response = client.post(
        "/subscribe",
        data={"email": "ada@example.org", "strands": ["research-statistics"], "frequency": "daily"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form has expired" in html and "Nothing has been saved" in html
    assert subscriber("ada@example.org") is None and outbox() == []


def test_same_answer_for_new_pending_confirmed_and_unsubscribed_addresses(client):
    from notifier.models import utcnow
    from notifier.subscriptions.choices import Choices, pick_strands
    from notifier.subscriptions.confirm import confirm
    from notifier.subscriptions.consent import Origin
    from notifier.subscriptions.subscribe import subscribe
    from notifier.subscriptions.unsubscribe import unsubscribe

    origin = Origin("192.0.2.1", "seed", "test")
    choices = Choices.same(pick_strands(["fraud-error-debt"]), "daily", True)
    for address in ("pending@example.org", "confirmed@example.org", "left@example.org"):
        subscribe(address, choices, origin, utcnow())
    confirm(subscriber("confirmed@example.org"), origin, utcnow())
    confirm(subscriber("left@example.org"), origin, utcnow())
    unsubscribe(subscriber("left@example.org"), origin, utcnow())
    db.session.commit()

    answers = []
    for address in (
        "new@example.org",
        "pending@example.org",
        "confirmed@example.org",
        "left@example.org",
    ):
        response = submit(client, email=address)
        answers.append((response.status_code, response.get_data()))
    assert len(set(answers)) == 1 and answers[0][0] == 200
    assert subscriber("new@example.org").status == "pending"
    assert subscriber("confirmed@example.org").status == "confirmed"
    assert subscriber("left@example.org").status == "pending"
    queued = sorted((row.to_address, row.kind) for row in outbox() if row.status == "queued")
    assert ("new@example.org", "confirm") in queued
    assert ("left@example.org", "confirm") in queued
    assert ("confirmed@example.org", "already_subscribed") in queued


def test_confirmed_address_is_not_changed_by_a_stranger_resubmitting_it(client):
    from notifier.models import utcnow
    from notifier.subscriptions.choices import Choices, pick_strands
    from notifier.subscriptions.confirm import confirm
    from notifier.subscriptions.consent import Origin
    from notifier.subscriptions.subscribe import subscribe

    origin = Origin("192.0.2.1", "seed", "test")
    subscribe(
        "ada@example.org",
        Choices.same(pick_strands(["fraud-error-debt"]), "daily", True),
        origin,
        utcnow(),
    )
    confirm(subscriber("ada@example.org"), origin, utcnow())
    db.session.commit()
    submit(client, email="ada@example.org", strands=["research-statistics"], frequency="weekly")
    person = subscriber("ada@example.org")
    assert preferences_of(person) == {"fraud-error-debt": ("daily", True)}


def test_a_hundred_submits_for_one_address_queue_one_email(make_app):
    app = make_app(
        subscribe_limit_per_ip="1000 per hour", subscribe_limit_per_address="1000 per hour"
    )
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client)
        answers = {submit(client, token, email=" Ada@Example.org").status_code for _ in range(100)}
        assert answers == {200}
        assert [row.kind for row in outbox()] == ["confirm"]


def test_honeypot_gets_the_same_page_and_changes_nothing(client):
    normal = submit(client, email="human@example.org")
    trapped = submit(client, email="bot@example.org", website="http://spam.example")
    assert trapped.status_code == 200
    assert trapped.get_data() == normal.get_data()
    assert subscriber("bot@example.org") is None
    assert [row.to_address for row in outbox()] == ["human@example.org"]


def test_honeypot_is_hidden_from_people_and_screen_readers(client):
    html = client.get("/").get_data(as_text=True)
    block = re.search(r'<div class="hp" aria-hidden="true">.*?</div>', html, re.S)[0]
    assert 'name="website"' in block and 'tabindex="-1"' in block


def test_rate_limit_per_address_answers_429_without_queueing(make_app):
    app = make_app(subscribe_limit_per_ip="1000 per hour", subscribe_limit_per_address="3 per hour")
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client)
        codes = [submit(client, token, email="ada@example.org").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        # Another address from the same client is still welcome.
        assert submit(client, token, email="grace@example.org").status_code == 200
        limited = submit(client, token, email="ADA@example.org")
        assert limited.status_code == 429
        assert "Too many requests" in limited.get_data(as_text=True)


def test_rate_limit_per_ip(make_app):
    app = make_app(subscribe_limit_per_ip="2 per hour", subscribe_limit_per_address="100 per hour")
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client)
        codes = [submit(client, token, email=f"p{i}@example.org").status_code for i in range(3)]
        assert codes == [200, 200, 429]
        assert subscriber("p2@example.org") is None


def test_pages_carry_security_headers_and_a_safe_session_cookie(make_app):
    app = make_app(base_url="https://updates.example.org")
    with app.app_context():
        response = app.test_client().get("/")
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
