"""The start page is rendered once a while, but every visitor still gets a working form."""

from __future__ import annotations

import re
import time

from notifier.extensions import db
from notifier.models import Strand
from tests.support.pages import subscribe_fields, subscriber


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_each_visitor_gets_their_own_working_token_from_the_cached_page(make_app):
    app = make_app(page_cache_seconds=60)
    first, second = app.test_client(), app.test_client()
    pages = [client.get("/").get_data(as_text=True) for client in (first, second)]
    tokens = [token_of(page) for page in pages]
    assert tokens[0] != tokens[1]
    assert "csrf-stand-in" not in pages[0] + pages[1]
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")
    with app.app_context():
        # Each token works for its own visitor only.
        swapped = second.post("/subscribe", data={**subscribe_fields(), "csrf_token": tokens[0]})
        assert swapped.status_code == 400
        answer = second.post("/subscribe", data={**subscribe_fields(), "csrf_token": tokens[1]})
        assert answer.status_code == 200
        assert subscriber("ada@example.org").status == "pending"


def test_a_new_strand_shows_once_the_cached_page_is_old(make_app):
    app = make_app(page_cache_seconds=0.5)
    client = app.test_client()
    assert "Open data standards" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.add(Strand(slug="open-data", name="Open data standards", position=9))
        db.session.commit()
    assert "Open data standards" not in client.get("/").get_data(as_text=True)
    time.sleep(0.6)
    assert "Open data standards" in client.get("/").get_data(as_text=True)
