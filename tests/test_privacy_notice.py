"""The privacy notice: written from the settings, linked from every page and every email."""

from __future__ import annotations

import re

from notifier.delivery.engine import deliver_due
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import utcnow
from tests.support.mailing import queue, subscriber
from tests.support.pages import submit


def test_the_notice_says_what_the_settings_keep_and_whom_to_ask(make_app):
    app = make_app(
        retention_days=45,
        pending_retention_days=14,
        unsubscribed_retention_days=200,
        privacy_controller="The Open Policy Team",
        privacy_contact="dpo@example.org",
    )
    page = app.test_client().get("/privacy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The Open Policy Team runs this mailing list" in html
    assert "bounce records: 45 days" in html
    assert "forgotten after 14 days" in html and "kept for 200 days" in html
    assert 'href="mailto:dpo@example.org"' in html


def test_without_a_contact_the_notice_names_the_from_address(make_app):
    html = make_app().test_client().get("/privacy").get_data(as_text=True)
    assert 'href="mailto:updates@notifier.example.org"' in html
    assert "Data sharing open policy updates runs this mailing list" in html


def test_every_page_links_to_it(client):
    for path in ("/", "/privacy", "/manage/not-a-token", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert '<a href="/privacy">Privacy notice</a>' in html, path


def test_every_email_links_to_it(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        _send_two(app, smtp_server)


def _send_two(app, smtp_server):
    submit(app.test_client(), email="ada@example.org")
    reader = subscriber("reader@example.org")
    queue("announcement", [reader], payload={"announcement": _announcement()})
    backend = from_url(smtp_server.url)
    try:
        deliver_due(backend, utcnow())
    finally:
        backend.close()
    messages = smtp_server.wait_for(2)
    assert {m.message["Subject"] for m in messages} and len(messages) == 2
    for message in messages:
        assert "http://notifier.test/privacy" in message.text()
        assert re.search(
            r'href="http://notifier.test/privacy"[^>]*>Privacy notice</a>', message.html()
        )


def _announcement() -> int:
    from notifier.models import Announcement

    item = Announcement(subject="A note", body_markdown="Hello **all**.", strands=[])
    db.session.add(item)
    db.session.commit()
    return item.id
