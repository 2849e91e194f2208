"""What an attacker or an unlucky caller sends the web doors: each gets a clear 4xx, never a 500.

Run on PostgreSQL too (NOTIFIER_TEST_DATABASE_URL): NUL characters and 64-bit ids fail there
in ways SQLite forgives.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notifier.admins import create_admin, issue_token
from notifier.extensions import db
from notifier.models import Announcement, ConsentRecord, Update
from tests.support.admin import csrf_from
from tests.support.content import at, make_update
from tests.support.pages import submit

SUBSCRIPTIONS = "/api/v1/subscriptions"
GOOD = {"email": "ada@example.org", "strands": ["fraud-error-debt"]}


@pytest.fixture
def auth(app):
    create_admin("ops@example.org", "a long enough password 1")
    token = issue_token("ops@example.org")
    db.session.commit()  # as the commands do
    return {"Authorization": f"Bearer {token}"}


def announcements() -> int:
    return db.session.scalar(select(func.count()).select_from(Announcement))


@pytest.mark.parametrize(
    "send_at", ["9999-12-31T23:00-05:00", "0001-01-01T00:00+01:00", "9999-12-31T23:59:59"]
)
def test_send_at_off_the_calendar_is_a_400_naming_it(client, auth, send_at):
    body = {"subject": "Hello", "body": "Text.", "send_at": send_at}
    response = client.post("/api/v1/announcements", json=body, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "0002 to 9998" in response.get_json()["fields"]["send_at"]
    assert announcements() == 0


@pytest.mark.parametrize("value", ["9999-12-31", "9999-12-31T23:59:59Z", "0001-01-01T00:00+01:00"])
def test_deadline_off_the_calendar_is_a_400_and_changes_nothing(client, auth, value):
    update = make_update("Consultation", "2031-05-01T09:00", deadline="2031-06-01T12:00")
    url = f"/api/v1/updates/{update.id}/deadline"
    response = client.put(url, json={"deadline": value}, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "0002 to 9998" in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Update, update.id).deadline.at == at("2031-06-01T12:00")


@pytest.mark.parametrize("update_id", [2**31, 2**63, 2**70, 0])
def test_an_update_id_no_id_column_holds_is_no_such_update(client, auth, update_id):
    url = f"/api/v1/updates/{update_id}/deadline"
    response = client.put(url, json={"deadline": None}, headers=auth)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "Hello\x00", "body": "Text."}, "subject"),
        ({"subject": "Hello", "body": "Te\x00xt."}, "body"),
        ({"subject": "Hello", "body": "Text.", "strands": ["fraud\x00"]}, "strands[0]"),
    ],
)
def test_a_nul_character_in_a_field_is_a_400_naming_it(client, auth, body, field):
    response = client.post("/api/v1/announcements", json=body, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["message"] == f"{field} must not contain the NUL character."
    assert announcements() == 0


def test_a_nul_character_in_a_form_or_query_is_a_400_naming_it(client):
    # Forms that show it beside the field instead: tests/test_nul_on_forms.py.
    assert client.get("/admin/login?next=/admin/%00").status_code == 400
    response = client.post("/admin/logout", data={"reason": "gone\x00"})
    assert response.status_code == 400
    assert "reason must not contain the NUL character" in response.get_data(as_text=True)


def test_a_user_agent_with_nul_or_of_any_length_is_stored_safely(client):
    agent = "Mozilla/5.0\x00(evil)\t" + "x" * 2000
    response = client.post(SUBSCRIPTIONS, json=GOOD, headers={"User-Agent": agent})
    assert response.status_code == 202
    record = db.session.scalar(select(ConsentRecord))
    assert record.user_agent.startswith("Mozilla/5.0 (evil) xxx")
    assert "\x00" not in record.user_agent and len(record.user_agent) == 500


def test_a_command_given_a_moment_off_the_calendar_says_so_in_one_line(runner):
    result = runner.invoke(args=["worker", "--once", "--now", "9999-12-31T23:00-05:00"])
    assert result.exit_code == 2
    assert "outside the years 0002 to 9998" in result.output
    assert "Traceback" not in result.output


class Tracked:
    """A request body that notes whether anything read it."""

    def __init__(self, data: bytes):
        self.data, self.read_at_all = data, False

    def read(self, *args):
        self.read_at_all = True
        return b""

    readline = read


def test_a_body_over_the_size_limit_is_a_413_problem_and_queues_nothing(client):
    big = {**GOOD, "padding": "x" * 300_000}
    response = client.post(SUBSCRIPTIONS, json=big)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 413 and problem["title"] == "Request Entity Too Large"
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_a_form_over_the_size_limit_is_a_413_page(client):
    response = submit(client, email="ada@example.org", padding="x" * 300_000)
    assert response.status_code == 413
    assert "text/html" in response.content_type


def test_a_client_over_its_limit_has_its_body_refused_unread(make_app):
    # Flask-Limiter checks a view's limits shortest window first: a per-minute address limit
    # used to parse the body (its key) before the hourly per-IP limit refused the request.
    app = make_app(subscribe_limit_per_ip="1 per hour", subscribe_limit_per_address="50 per minute")
    client = app.test_client()
    assert client.post(SUBSCRIPTIONS, json=GOOD).status_code == 202
    body = Tracked(b"{}")
    response = client.post(
        SUBSCRIPTIONS,
        content_type="application/json",
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": "200000"},
    )
    assert response.status_code == 429
    assert not body.read_at_all


def test_a_sign_in_over_its_limit_is_refused_before_csrf_reads_the_form(client):
    # The sign-in limit used to be checked inside the view, after CSRF had read the form.
    token = csrf_from(client.get("/admin/login").text)
    wrong = {"email": "ops@example.org", "password": "not the password", "csrf_token": token}
    assert [client.post("/admin/login", data=wrong).status_code for _ in range(10)] == [400] * 10
    body = Tracked(b"")
    response = client.post(
        "/admin/login",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": "200000"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert not body.read_at_all


def test_the_per_address_limit_counts_case_and_spaces_as_one_address(make_app):
    app = make_app(subscribe_limit_per_address="2 per hour")
    client = app.test_client()
    emails = ["ada@example.org", " ADA@example.org", "Ada@Example.org "]
    codes = [client.post(SUBSCRIPTIONS, json={**GOOD, "email": e}).status_code for e in emails]
    assert codes == [202, 202, 429]
    limited = client.post(SUBSCRIPTIONS, json=GOOD)
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0  # how long until that address may try
    other = client.post(SUBSCRIPTIONS, json={**GOOD, "email": "grace@example.org"})
    assert other.status_code == 202


@pytest.mark.parametrize(
    ("url", "needs_auth"),
    [(SUBSCRIPTIONS, False), ("/api/v1/announcements", True), ("/api/v1/bounces", False)],
)
def test_deeply_nested_json_is_a_400_problem_not_a_500(make_app, url, needs_auth):
    app = make_app(bounce_webhook_secret="s3cret")
    client = app.test_client()
    headers = {"Authorization": "Bearer s3cret"} if url.endswith("bounces") else {}
    if needs_auth:
        with app.app_context():
            create_admin("ops@example.org", "a long enough password 1")
            headers = {"Authorization": f"Bearer {issue_token('ops@example.org')}"}
            db.session.commit()
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(url, data=deep, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The JSON body is nested too deeply."


@pytest.mark.parametrize("path", ["/updates/{}", "/api/v1/announcements/{}"])
def test_a_page_for_an_id_no_id_column_holds_is_a_404(client, auth, path):
    assert client.get(path.format(2**31), headers=auth).status_code == 404
    assert client.get(path.format(2**64), headers=auth).status_code == 404


@pytest.mark.parametrize("page", ["²", "0", str(10**30), "-1"])
def test_an_archive_page_number_out_of_range_is_a_400(client, page):
    response = client.get(f"/updates?page={page}")
    assert response.status_code == 400
    assert "page number must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [b"[" * 50_000 + b"]" * 50_000, b'{"email": "ada\\u0000@example.org"}', b"{not json"],
)
def test_a_bounce_report_without_the_secret_is_a_401_and_its_body_is_never_read(make_app, body):
    # The JSON was parsed (and refused: a 400) before the webhook checked its secret.
    client = make_app(bounce_webhook_secret="s3cret").test_client()
    tracked = Tracked(body)
    response = client.post(
        "/api/v1/bounces",
        content_type="application/json",
        headers={"Authorization": "Bearer wrong"},
        environ_overrides={"wsgi.input": tracked, "CONTENT_LENGTH": str(len(body))},
    )
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert not tracked.read_at_all
    answer = client.post("/api/v1/bounces", data=body, content_type="application/json")
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "body",
    [b"[" * 50_000 + b"]" * 50_000, b'{"subject": "a\\u0000b"}', b"{not json"],
)
def test_an_admin_api_call_without_a_token_is_a_401_and_its_body_is_never_read(client, body):
    # The JSON was parsed (and refused: a 400) before the view checked the token.
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        tracked = Tracked(body)
        response = client.post(
            "/api/v1/announcements",
            content_type="application/json",
            headers=headers,
            environ_overrides={"wsgi.input": tracked, "CONTENT_LENGTH": str(len(body))},
        )
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert not tracked.read_at_all
    assert announcements() == 0
