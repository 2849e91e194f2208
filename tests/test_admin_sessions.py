"""Admin page sessions end when they should: at logout, at a new password, after idling."""

from __future__ import annotations

import pytest

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.settings import ConfigError, load
from notifier.web.admin import access
from tests.test_admin_pages import PASSWORD, csrf_from, sign_in


@pytest.fixture
def admin(app):
    admin = create_admin("ops@example.org", PASSWORD)
    db.session.commit()  # as `notifier admin create` does
    return admin


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def opens_admin(app, cookie: str) -> bool:
    """Whether a browser holding only this saved cookie gets the admin overview."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/admin/").status_code == 200


def test_logout_ends_every_earlier_session_of_that_admin(app, client, admin):
    sign_in(client)
    saved = saved_cookie(client)  # as an attacker who copied it would keep it
    elsewhere = app.test_client()  # the same admin, signed in on another computer
    sign_in(elsewhere)
    assert opens_admin(app, saved)
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    assert not opens_admin(app, saved)
    assert elsewhere.get("/admin/").status_code == 302
    # Signing in again works, and gives a session of the new version.
    sign_in(client)
    assert client.get("/admin/").status_code == 200


def test_a_new_password_ends_every_session(app, client, runner, admin):
    sign_in(client)
    saved = saved_cookie(client)
    result = runner.invoke(
        args=["admin", "password", "ops@example.org", "--password-stdin"],
        input="another long password\n",
    )
    assert result.exit_code == 0, result.output
    assert not opens_admin(app, saved)
    assert sign_in(client).status_code == 400  # the old password is gone
    assert sign_in(client, password="another long password").status_code == 302


def test_a_short_new_password_is_refused_and_changes_nothing(app, client, runner, admin):
    sign_in(client)
    saved = saved_cookie(client)
    result = runner.invoke(
        args=["admin", "password", "ops@example.org", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert opens_admin(app, saved)


def test_a_session_idle_longer_than_the_setting_ends(make_app, monkeypatch):
    app = make_app(admin_session_hours=2)
    with app.app_context():
        create_admin("ops@example.org", PASSWORD)
        db.session.commit()
    client = app.test_client()
    clock = [1_000_000.0]
    monkeypatch.setattr(access.time, "time", lambda: clock[0])
    sign_in(client)
    clock[0] += 90 * 60  # used again within two hours: still in, and the clock restarts
    assert client.get("/admin/").status_code == 200
    clock[0] += 90 * 60
    assert client.get("/admin/").status_code == 200
    clock[0] += 2 * 3600 + 1
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_the_idle_lifetime_is_twelve_hours_unless_set(tmp_path):
    assert load({"secret_key": "x"}, environ={}, instance_path=tmp_path).admin_session_hours == 12
    with pytest.raises(ConfigError, match="NOTIFIER_ADMIN_SESSION_HOURS must be more than 0"):
        load(
            {"secret_key": "x"},
            environ={"NOTIFIER_ADMIN_SESSION_HOURS": "0"},
            instance_path=tmp_path,
        )
