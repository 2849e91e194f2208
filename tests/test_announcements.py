"""Announcements: the service, the scheduled send, and the admin API with its OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notifier.admins import create_admin, issue_token
from notifier.announcements.drafts import AnnouncementError
from notifier.announcements.sending import send_due
from notifier.emails import render
from notifier.extensions import db
from notifier.models import Announcement, Outbox, Subscriber
from tests.support.admin import announce
from tests.support.content import at, make_subscriber, outbox

BODY = "We are holding an **open meeting** on 12 May.\n\n- Agenda: [online](https://policy.example.org/meeting)\n\n<script>alert(1)</script>"


def test_an_announcement_to_two_strands_reaches_someone_in_both_once(app):
    make_subscriber("both@example.org", ("research-statistics", "fraud-error-debt"))
    make_subscriber("one@example.org", ("fraud-error-debt",), frequency="weekly")
    make_subscriber("neither@example.org", ("tailored-public-services",))
    pending = make_subscriber("pending@example.org", ("research-statistics",))
    pending.status = "pending"
    db.session.commit()

    item = announce(
        "Open meeting",
        BODY,
        ["research-statistics", "fraud-error-debt"],
        None,
        None,
        at("2026-03-09T10:00"),
    )

    assert sorted(row.to_address for row in outbox("announcement")) == [
        "both@example.org",
        "one@example.org",
    ]
    assert item.queued_at == at("2026-03-09T10:00") and item.emails_queued == 2
    email = render(outbox("announcement")[0])
    assert email.subject == "Open meeting"
    assert "We are holding an **open meeting**" in email.text  # the text part is the Markdown
    assert "<strong>open meeting</strong>" in email.html
    assert 'href="https://policy.example.org/meeting"' in email.html
    assert "<script>" not in email.html
    assert email.unsubscribe_url and "/manage/" in email.html


def test_no_strands_means_every_confirmed_subscriber(app):
    for n, slug in enumerate(
        ("research-statistics", "fraud-error-debt", "tailored-public-services")
    ):
        make_subscriber(f"s{n}@example.org", (slug,))
    announce("Hello", "Hello all.", [], None, None, at("2026-03-09T10:00"))
    assert len(outbox("announcement")) == 3


def test_a_scheduled_announcement_goes_out_at_send_at_not_before(app, runner):
    make_subscriber("a@example.org")
    announce("Later", "Soon.", [], at("2026-03-09T12:00"), None, at("2026-03-09T10:00"))

    early = runner.invoke(args=["announcements", "send-due", "--now", "2026-03-09T11:59"])
    assert early.output == "" and outbox("announcement") == []
    due = runner.invoke(args=["announcements", "send-due", "--now", "2026-03-09T12:00"])
    assert "announcement 1: queued 1 emails" in due.output
    runner.invoke(args=["announcements", "send-due", "--now", "2026-03-09T12:30"])
    assert len(outbox("announcement")) == 1


@pytest.mark.parametrize(
    ("subject", "body", "strands", "field"),
    [
        ("", "Body", [], "subject"),
        ("x" * 201, "Body", [], "subject"),
        ("Two\nlines", "Body", [], "subject"),
        ("Subject", "  ", [], "body"),
        ("Subject", "Body", ["no-such-strand"], "strands"),
    ],
)
def test_bad_announcements_are_refused_and_store_nothing(app, subject, body, strands, field):
    make_subscriber("a@example.org")
    with pytest.raises(AnnouncementError) as refused:
        announce(subject, body, strands, None, None, at("2026-03-09T10:00"))
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


@pytest.fixture
def token(app):
    create_admin("admin@example.org", "a long enough password")
    token = issue_token("admin@example.org")
    db.session.commit()  # as the `notifier admin` commands do
    return token


def test_api_needs_an_admin_token(client):
    answer = client.post("/api/v1/announcements", json={"subject": "Hi", "body": "There"})
    assert answer.status_code == 401
    wrong = client.post(
        "/api/v1/announcements",
        json={"subject": "Hi", "body": "There"},
        headers={"Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "There"}, "subject"),
        ({"subject": "Hi"}, "body"),
        ({"subject": "Hi", "body": "There", "strands": "research-statistics"}, "strands"),
        ({"subject": "Hi", "body": "There", "strands": ["nope"]}, "strands"),
        ({"subject": "Hi", "body": "There", "send_at": "next tuesday"}, "send_at"),
        ({"subject": 7, "body": "There"}, "subject"),
        (["not", "an", "object"], "body"),
    ],
)
def test_api_refuses_bad_bodies_with_field_errors(client, token, body, field):
    make_subscriber("a@example.org")
    answer = client.post(
        "/api/v1/announcements", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 400
    assert field in answer.json["fields"]
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_api_creates_and_queues_or_schedules(client, token):
    make_subscriber("r@example.org", ("research-statistics",))
    make_subscriber("t@example.org", ("tailored-public-services",))
    auth = {"Authorization": f"Bearer {token}"}

    now = client.post(
        "/api/v1/announcements",
        json={"subject": "Now", "body": "Hello", "strands": ["research-statistics"]},
        headers=auth,
    )
    later = client.post(
        "/api/v1/announcements",
        json={"subject": "Later", "body": "Hello", "send_at": "2099-01-01T09:00"},
        headers=auth,
    )

    assert now.status_code == 201 and now.json["status"] == "queued"
    assert later.status_code == 201 and later.json["status"] == "scheduled"
    assert later.json["send_at"] == "2099-01-01T09:00:00+00:00"  # local time, GMT in January
    assert [row.to_address for row in outbox("announcement")] == ["r@example.org"]
    assert db.session.get(Announcement, now.json["id"]).created_by is not None
    send_due(at("2099-01-01T09:00"))
    assert len(outbox("announcement")) == 3
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 2


def test_openapi_document_describes_the_api(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json
    assert document["openapi"].startswith("3.1")
    subscribe = document["paths"]["/api/v1/subscriptions"]["post"]
    assert "202" in subscribe["responses"]
    assert set(subscribe["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "email",
        "strands",
        "frequency",
        "reminders",
        "preferences",
    }
    announce = document["paths"]["/api/v1/announcements"]["post"]
    assert announce["security"] == [{"bearer": []}]
    assert {"201", "400", "401"} <= set(announce["responses"])


def test_api_gives_an_announcements_state_and_counts(client, token):
    make_subscriber("r@example.org", ("research-statistics",))
    make_subscriber("f@example.org", ("fraud-error-debt",))
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post("/api/v1/announcements", json={"subject": "Hi", "body": "All"}, headers=auth)
    rows = outbox("announcement")
    rows[0].status = "sent"
    db.session.commit()

    answer = client.get(f"/api/v1/announcements/{made.json['id']}", headers=auth)
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["queued"], answer.json["sent"]) == ("queued", 1, 1)
    assert answer.json["failed"] == answer.json["bounced"] == 0
    assert client.get(f"/api/v1/announcements/{made.json['id']}").status_code == 401
    missing = client.get("/api/v1/announcements/999", headers=auth)
    assert missing.status_code == 404
    huge = client.get(f"/api/v1/announcements/{2**70}", headers=auth)
    assert huge.status_code == 404


def test_api_cancels_a_scheduled_announcement_but_not_a_sent_one(client, token):
    make_subscriber("r@example.org")
    auth = {"Authorization": f"Bearer {token}"}
    later = client.post(
        "/api/v1/announcements",
        json={"subject": "Later", "body": "Soon", "send_at": "2099-01-01T09:00"},
        headers=auth,
    )
    now = client.post("/api/v1/announcements", json={"subject": "Now", "body": "So"}, headers=auth)
    cancelled = client.post(f"/api/v1/announcements/{later.json['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    refused = client.post(f"/api/v1/announcements/{now.json['id']}/cancel", headers=auth)
    assert refused.status_code == 409
    send_due(at("2099-01-02T00:00"))
    assert len(outbox("announcement")) == 1


def test_the_clock_and_a_request_queueing_at_once_queue_each_email_once(app):
    from notifier.announcements.sending import queue

    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    item = announce("Later", "Soon.", [], at("2026-03-09T12:00"), None, at("2026-03-09T10:00"))
    send_due(at("2026-03-09T12:00"))
    queue(item, at("2026-03-09T12:00"))  # a second caller finds it claimed
    send_due(at("2026-03-09T12:01"))
    assert len(outbox("announcement")) == 2
    assert db.session.get(Announcement, item.id).emails_queued == 2


def test_a_fan_out_cut_short_is_finished_by_a_later_run_without_doubles(app):
    from notifier.announcements.sending import queue

    make_subscriber("a@example.org")
    item = announce("Later", "Soon.", [], at("2026-03-09T12:00"), None, at("2026-03-09T10:00"))
    queue(item, at("2026-03-09T12:00"))
    make_subscriber("b@example.org")
    # As if the process died after the first batch: claimed, never marked queued.
    item.state, item.started_at, item.queued_at = "sending", at("2026-03-09T12:00"), None
    db.session.commit()
    assert send_due(at("2026-03-09T12:05")) == []  # still within the stale limit
    send_due(at("2026-03-09T12:11"))
    assert sorted(row.to_address for row in outbox("announcement")) == [
        "a@example.org",
        "b@example.org",
    ]
    assert db.session.get(Announcement, item.id).state == "queued"


def test_api_drafts_previews_and_sends_once(client, token):
    make_subscriber("r@example.org", ("research-statistics",))
    make_subscriber("t@example.org", ("tailored-public-services",))
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/v1/announcements",
        json={
            "subject": "Hi",
            "body": "**All**",
            "strands": ["research-statistics"],
            "draft": True,
        },
        headers=auth,
    )
    assert made.status_code == 201 and made.json["status"] == "draft"
    assert outbox("announcement") == []
    path = f"/api/v1/announcements/{made.json['id']}"
    shown = client.get(f"{path}/preview", headers=auth).json
    assert (shown["recipients"], shown["sample"], shown["revision"]) == (1, "r@example.org", 1)
    assert shown["headers"]["Subject"] == "Hi" and "<strong>All</strong>" in shown["html"]
    assert client.get(f"{path}/preview?sample=t@example.org", headers=auth).status_code == 404

    stale = client.post(f"{path}/send", json={"revision": 7}, headers=auth)
    assert stale.status_code == 409 and outbox("announcement") == []
    assert client.post(f"{path}/send", json={}, headers=auth).status_code == 400
    sent = client.post(f"{path}/send", json={"revision": 1}, headers=auth)
    again = client.post(f"{path}/send", json={"revision": 1}, headers=auth)
    assert sent.status_code == 200 and sent.json["status"] == "queued"
    assert again.status_code == 409 and "already confirmed" in again.json["detail"]
    assert [row.to_address for row in outbox("announcement")] == ["r@example.org"]
