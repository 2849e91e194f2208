"""Every kind of email the service sends, as a receiving server parses it: the bulk-sender rules.

Kinds come from the renderer registry, so a kind added later is checked here too. A kind whose
renderer needs more than a subscriber (a payload, a key of some form, stored updates) gets it
from a function in SAMPLES: add one there with the kind.
"""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Callable
from datetime import timedelta

import dkim
import pytest

from notifier.delivery.engine import deliver_due
from notifier.delivery.outbox import enqueue
from notifier.delivery.rules import LIST_KINDS, RECIPIENT_STATUSES
from notifier.emails import RENDERERS
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.mail.message import Email
from notifier.models import Announcement, Deadline, Feed, Subscriber, Update, utcnow
from tests.support.mailing import queue, rows, subscriber
from tests.support.spamassassin import spam_score


def _update(title: str = "Data sharing for research: draft code of practice") -> Update:
    feed = Feed(url="https://consultation.example.org/feed/")
    db.session.add(feed)
    db.session.flush()
    update = Update(
        feed_id=feed.id,
        guid="https://consultation.example.org/?p=101",
        link="https://consultation.example.org/updates/draft-code/",
        title=title,
        content_html="<p>The draft code of practice is open for comment.</p>",
        content_text="The draft code of practice is open for comment.",
        categories=["Research & Statistics"],
        content_hash="0" * 64,
        published_at=utcnow(),
        stored_at=utcnow(),
    )
    db.session.add(update)
    db.session.flush()
    return update


def _deadline() -> Deadline:
    deadline = Deadline(update_id=_update().id, at=utcnow() + timedelta(days=7))
    db.session.add(deadline)
    db.session.flush()
    return deadline


def _announcement() -> Announcement:
    item = Announcement(
        subject="Workshop on the draft code",
        body_markdown="Join us on **Tuesday** to discuss the draft code.",
        strands=[],
        send_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    return item


def _moved(person: Subscriber) -> tuple[str, dict]:
    deadline = _deadline()
    previous = (deadline.at - timedelta(days=3)).isoformat()
    return f"moved:{person.id}", {
        "deadline": deadline.id,
        "version": 2,
        "at": deadline.at.isoformat(),
        "previous_at": previous,
    }


# kind -> function(subscriber) -> (key, payload), for kinds that need more than a subscriber.
SAMPLES: dict[str, Callable[[Subscriber], tuple[str, dict]]] = {
    "immediate": lambda p: (f"immediate:{p.id}", {"update": _update().id}),
    "digest": lambda p: (
        f"digest:daily:2026-11-25:{p.id}",
        {
            "since": (utcnow() - timedelta(days=1)).isoformat(),
            "until": utcnow().isoformat(),
            "updates": [_update().id],
        },
    ),
    "reminder": lambda p: (
        f"reminder:{p.id}",
        {"deadline": (d := _deadline()).id, "version": 1, "at": d.at.isoformat(), "offset": 1},
    ),
    "deadline_moved": _moved,
    "announcement": lambda p: (f"announcement:{p.id}", {"announcement": _announcement().id}),
    "announcement_test": lambda p: (
        f"announcement-test:{p.id}",
        {"announcement": _announcement().id, "revision": 1},
    ),
}
# Kinds that are not about the list's content and so carry no List-* headers.
TRANSACTIONAL = {"confirm"}
# Kinds that carry the deadline as an .ics attachment.
WITH_INVITE = {"reminder", "deadline_moved"}
NASTY_TITLE = (
    "Deadline moved\r\nBcc: victim@example.org\r\n\r\nInjected body "
    + "très longue consultation sur le partage des données " * 6
    + "\x00\x0b end"
)
ONCE = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type")
LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory):
    """A fresh RSA key made for this run, and its DNS TXT record."""
    folder = tmp_path_factory.mktemp("dkim")
    key = folder / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return key, record


@pytest.fixture
def list_app(make_app, dkim_key):
    app = make_app(
        base_url="https://notifier.test",
        list_unsubscribe_mailto="unsubscribe@notifier.example.org",
        dkim_selector="mail2026",
        dkim_domain="notifier.example.org",
        dkim_private_key_path=str(dkim_key[0]),
    )
    with app.app_context():
        yield app


@pytest.fixture
def headline_kind():
    """A test-only list email whose subject is whatever a feed title says."""

    def headline(row):
        title = row.payload["title"]
        return Email(
            to=row.to_address,
            subject=title,
            text=f"{title}\n\nRead it on the site.",
            html=f"<h1>{title}</h1><p>Read it on the site.</p>",
            unsubscribe_url=f"https://notifier.test/unsubscribe/t{row.subscriber_id}",
        )

    RENDERERS["test_headline"] = headline
    RECIPIENT_STATUSES["test_headline"] = frozenset({"confirmed"})
    yield "test_headline"
    RENDERERS.pop("test_headline")
    RECIPIENT_STATUSES.pop("test_headline")


def _send(kind: str, smtp_server, payload=None):
    statuses = RECIPIENT_STATUSES.get(kind, {"confirmed"})
    status = "pending" if "pending" in statuses else "confirmed"
    now = utcnow()
    person = subscriber(f"{kind}@example.org", status)
    key, sample = SAMPLES[kind](person) if kind in SAMPLES else (f"{kind}:{person.id}", payload)
    enqueue(key, kind, person.email, subscriber_id=person.id, payload=sample, now=now)
    db.session.commit()
    backend = from_url(smtp_server.url)
    tally = deliver_due(backend, now)
    backend.close()
    assert tally.sent == 1, f"{kind} not sent: {rows()[-1].last_error}; add it to SAMPLES?"
    return smtp_server.received[-1]


def _dkim_dns(record):
    def lookup(name, timeout=5):
        assert name == b"mail2026._domainkey.notifier.example.org."
        return record

    return lookup


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_kind_meets_the_bulk_sender_rules(list_app, smtp_server, dkim_key, kind):
    received = _send(kind, smtp_server)
    message = received.message
    data = received.data

    for name in ONCE:
        assert len(message.get_all(name, [])) == 1, name
    assert message["Message-ID"].endswith("@notifier.example.org>")
    assert message["To"] == f"{kind}@example.org"
    body = message
    if kind in WITH_INVITE:  # text and HTML, then the deadline as a calendar file
        assert message.get_content_type() == "multipart/mixed"
        body, invite = message.iter_parts()
        assert invite.get_content_type() == "text/calendar"
        assert invite.get_filename() == "deadline.ics"
    assert body.get_content_type() == "multipart/alternative"
    parts = list(body.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    html = received.html()
    assert "<style" not in html and 'style="' in html  # CSS inlined
    data.decode("ascii")  # 7-bit clean on the wire
    assert max(len(line) for line in data.split(b"\r\n")) <= 998

    is_list = kind not in TRANSACTIONAL
    assert is_list or kind not in LIST_KINDS
    for name in LIST_HEADERS:
        assert len(message.get_all(name, [])) == (1 if is_list else 0), name
    if is_list:
        targets = message["List-Unsubscribe"]
        # A test send goes to an admin, no subscriber: its links lead back to the announcement.
        own = "/admin/announcements/" if kind == "announcement_test" else "/unsubscribe/"
        assert targets.startswith(f"<https://notifier.test{own}")
        assert "<mailto:unsubscribe@notifier.example.org?subject=unsubscribe>" in targets
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == "Data sharing updates <updates.notifier.example.org>"

    assert dkim.verify(data, dnsfunc=_dkim_dns(dkim_key[1]))
    signed = {
        h.strip().lower() for h in message["DKIM-Signature"].split("h=")[1].split(";")[0].split(":")
    }
    assert {"from", "to", "subject", "date", "message-id"} <= signed
    if is_list:
        assert {"list-unsubscribe", "list-unsubscribe-post", "list-id"} <= signed


def test_a_test_only_list_kind_is_checked_the_same_way(
    list_app, smtp_server, dkim_key, headline_kind
):
    received = _send(headline_kind, smtp_server, {"title": "Deadline extended"})
    for name in (*ONCE, *LIST_HEADERS, "DKIM-Signature"):
        assert len(received.message.get_all(name, [])) == 1, name
    assert dkim.verify(received.data, dnsfunc=_dkim_dns(dkim_key[1]))


def test_no_header_injection_whatever_a_title_contains(
    list_app, smtp_server, dkim_key, headline_kind
):
    received = _send(headline_kind, smtp_server, {"title": NASTY_TITLE})
    message = received.message
    assert message.get_all("Bcc") is None
    assert received.rcpt_tos == [f"{headline_kind}@example.org"]
    assert len(message.get_all("Subject")) == 1
    subject = str(message["Subject"])
    assert subject.startswith("Deadline moved Bcc: victim@example.org Injected body très")
    assert "\r" not in subject and "\n" not in subject and "\x00" not in subject
    assert subject.endswith("données end")
    header_block = received.data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in header_block.split(b"\r\n") if b"Subject" in line)
    assert dkim.verify(received.data, dnsfunc=_dkim_dns(dkim_key[1]))
    # The title reaches the text, but as text, not as mail structure.
    assert "Bcc: victim@example.org" in received.text()


def test_message_ids_are_unique_and_on_our_domain(list_app, smtp_server):
    from tests.support.mailing import crowd

    now = utcnow()
    queue("already_subscribed", crowd(20), now=now)
    backend = from_url(smtp_server.url)
    deliver_due(backend, now)
    backend.close()
    ids = [m.message["Message-ID"] for m in smtp_server.received]
    assert len(ids) == 20 == len(set(ids))
    dot_atom = re.compile(r"<[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*@notifier\.example\.org>")
    assert all(dot_atom.fullmatch(i) for i in ids), ids[:3]


def test_a_confirmation_email_is_not_spam(make_app, smtp_server):
    app = make_app(base_url="https://notifier.example.org")
    with app.app_context():
        received = _send("confirm", smtp_server)
    score, rules = spam_score(received.data)
    assert score < 2.0, rules
