"""The confirmation and already-subscribed emails as the SMTP server receives them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from notifier.delivery.engine import deliver_due
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import utcnow
from tests.support.pages import csrf_token, submit, subscriber


def deliver(app):
    backend = from_url(app.config["NOTIFIER"].mail_url)
    try:
        deliver_due(backend, utcnow())
    finally:
        backend.close()


def path(url: str) -> str:
    assert url.startswith("http://notifier.test/"), url
    return urlsplit(url).path


def test_confirmation_names_the_choices_and_links_to_confirm(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        client = app.test_client()
        submit(client, email="ada@example.org", strands=["fraud-error-debt"], frequency="weekly")
        deliver(app)
        [message] = smtp_server.wait_for(1)
        text = message.text()
        assert message.message["Subject"].startswith("Confirm your subscription")
        assert (
            "- Fraud, Error & Debt: a weekly digest on Mondays at 08:00, with deadline reminders"
            in text
        )
        confirm_url = re.search(r"(http://\S+/confirm/\S+)", text)[1]
        assert confirm_url in message.html()
        assert client.get(path(confirm_url)).status_code == 200


def test_already_subscribed_note_links_to_manage_and_one_click_unsubscribe(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        client = app.test_client()
        submit(client, email="ada@example.org")
        deliver(app)  # the confirmation goes while the address is still pending
        person = subscriber("ada@example.org")
        person.status = "confirmed"
        db.session.commit()
        token = csrf_token(client)
        for _ in range(3):
            submit(client, token, email="ada@example.org")
        deliver(app)
        messages = smtp_server.wait_for(2)
        assert len(messages) == 2
        note = messages[1].message
        assert note["Subject"].startswith("You are already subscribed")
        assert note["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = messages[1].text()
        manage_url = re.search(r"(http://\S+/manage/\S+)", text)[1]
        assert client.get(path(manage_url)).status_code == 200
        header_url = re.search(r"<(http://[^>]+)>", note["List-Unsubscribe"])[1]
        # What a mail client does for RFC 8058: a bare POST, no cookies.
        mail_client = app.test_client(use_cookies=False)
        answer = mail_client.post(path(header_url), data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
        assert subscriber("ada@example.org").status == "unsubscribed"
        assert client.get(path(manage_url)).status_code == 400
