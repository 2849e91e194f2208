"""Helpers for request-level tests of the public pages: CSRF tokens, forms, links in emails."""

from __future__ import annotations

import re

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Subscriber
from tests.support.content import at, outbox  # noqa: F401 - shared with the page tests

STRANDS = ["research-statistics", "fraud-error-debt", "tailored-public-services"]


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token a page's form carries (and the session cookie that goes with it)."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def subscribe_fields(email: str = "ada@example.org", **overrides) -> dict:
    fields = {
        "email": email,
        "strands": ["research-statistics"],
        "frequency": "daily",
        "reminders": "y",
    }
    fields.update(overrides)
    return fields


def submit(client, token: str | None = None, **fields):
    """POST the subscribe form as a browser would, with the page's CSRF token."""
    data = subscribe_fields(**fields)
    data["csrf_token"] = token if token is not None else csrf_token(client)
    return client.post("/subscribe", data=data)


def subscriber(email: str) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalars(select(Subscriber).where(Subscriber.email == email)).first()


def error_summary(html: str) -> list[tuple[str, str]]:
    """(anchor, message) pairs from the page's error summary."""
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
