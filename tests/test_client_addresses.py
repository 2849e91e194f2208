"""Who the client is: behind trusted proxies its real address, and one budget for all doors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber
from notifier.settings import ConfigError, load
from tests.support.pages import csrf_token, submit

API = "/api/v1/subscriptions"
BODY = {"strands": ["fraud-error-debt"]}
PROXY = {"REMOTE_ADDR": "10.0.0.2"}


def subscribe_via_proxy(client, email: str, forwarded: str):
    return client.post(
        API,
        json={**BODY, "email": email},
        headers={"X-Forwarded-For": forwarded},
        environ_overrides=PROXY,
    )


def recorded_ip(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(ConsentRecord.ip).join(Subscriber).where(Subscriber.email == email)
        )


def test_behind_a_trusted_proxy_the_client_address_is_the_one_it_forwarded(make_app):
    app = make_app(trusted_proxies=1, subscribe_limit_per_ip="1 per hour")
    client = app.test_client()
    # A client's own X-Forwarded-For entry comes first; the proxy appends what it saw.
    assert subscribe_via_proxy(client, "ada@example.org", "6.6.6.6, 203.0.113.7").status_code == 202
    assert recorded_ip(app, "ada@example.org") == "203.0.113.7"
    # Another visitor through the same proxy has a budget of their own...
    assert subscribe_via_proxy(client, "grace@example.org", "203.0.113.8").status_code == 202
    # ...and the first one's is spent, whatever it claims to be.
    assert (
        subscribe_via_proxy(client, "alan@example.org", "1.2.3.4, 203.0.113.7").status_code == 429
    )


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    app = make_app(subscribe_limit_per_ip="1 per hour")
    client = app.test_client()
    assert subscribe_via_proxy(client, "ada@example.org", "203.0.113.7").status_code == 202
    assert recorded_ip(app, "ada@example.org") == "10.0.0.2"
    # Claiming another address buys nothing.
    assert subscribe_via_proxy(client, "grace@example.org", "203.0.113.8").status_code == 429


def test_the_public_doors_share_one_budget_per_client(make_app):
    app = make_app(subscribe_limit_per_ip="3 per hour", subscribe_limit_per_address="100 per hour")
    client = app.test_client()
    token = csrf_token(client)
    assert submit(client, token, email="a@example.org").status_code == 200
    new_link = client.post("/new-link", data={"email": "b@example.org", "csrf_token": token})
    assert new_link.status_code == 200
    assert client.post(API, json={**BODY, "email": "c@example.org"}).status_code == 202
    # The budget is spent across the three doors, not three times over.
    assert submit(client, token, email="d@example.org").status_code == 429
    assert client.post(API, json={**BODY, "email": "e@example.org"}).status_code == 429


@pytest.mark.parametrize("value", ["-1", "11", "lots"])
def test_a_wrong_proxy_count_stops_the_service(tmp_path, value):
    with pytest.raises(ConfigError, match="NOTIFIER_TRUSTED_PROXIES"):
        load(
            {"secret_key": "x"}, environ={"NOTIFIER_TRUSTED_PROXIES": value}, instance_path=tmp_path
        )
