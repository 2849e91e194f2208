"""'I've responded': the mute link in a reminder stops that update's reminders, and only those."""

from __future__ import annotations

import email
import re
from datetime import timedelta

from icalendar import Calendar

from notifier.delivery.engine import deliver_due
from notifier.emails import render
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import Mute
from notifier.schedules import reminders
from notifier.subscriptions.tokens import make_token
from tests.support.content import at, make_subscriber, make_update, outbox, preferences_of
from tests.support.live import serve
from tests.support.pages import csrf_token


def _tick(start: str, end: str) -> None:
    now, stop = at(start), at(end)
    while now <= stop:
        reminders.queue_due(now)
        reminders.notify_moved(now)
        now += timedelta(hours=1)


def _mute_path(text: str) -> str:
    return re.search(r"http://notifier\.test(/mute/[^\s\"<]+)", text)[1]


def test_the_mute_link_stops_the_next_reminder_for_that_update_only(app, client):
    paper = make_update(
        "Disclosure standard",
        "2026-03-01T10:00",
        ("fraud-error-debt",),
        deadline="2026-03-20T23:59",
    )
    other = make_update(
        "Debt data paper", "2026-03-01T11:00", ("fraud-error-debt",), deadline="2026-03-20T23:59"
    )
    ada = make_subscriber("ada@example.org", ("fraud-error-debt",))
    make_subscriber("bob@example.org", ("fraud-error-debt",))
    before = preferences_of(ada)
    _tick("2026-03-13T07:00", "2026-03-13T09:00")  # the 7-day reminders
    week = {render(row).subject: render(row) for row in outbox("reminder", to="ada@example.org")}
    (mine,) = [e for s, e in week.items() if "Disclosure standard" in s]
    path = _mute_path(mine.text)
    assert _mute_path(mine.html.replace("&amp;", "&")) == path

    page = client.get(path)
    assert page.status_code == 200 and "Stop reminders for this consultation" in page.text
    assert db.session.query(Mute).count() == 0  # a GET (a mail scanner) changes nothing
    token = csrf_token(client, path)
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 200 and "No more reminders" in done.text
    assert client.post(path, data={"csrf_token": token}).status_code == 200  # twice: harmless
    assert db.session.query(Mute).count() == 1

    _tick("2026-03-19T07:00", "2026-03-19T09:00")  # the 1-day reminders
    ada_day = [row for row in outbox("reminder", to="ada@example.org") if ":d1:" in row.key]
    bob_day = [row for row in outbox("reminder", to="bob@example.org") if ":d1:" in row.key]
    assert [row.payload["deadline"] for row in ada_day] == [other.deadline.id]
    assert sorted(row.payload["deadline"] for row in bob_day) == sorted(
        [paper.deadline.id, other.deadline.id]
    )
    assert preferences_of(ada) == before  # strands and choices as they were
    # Their own data says what they muted.
    mine = client.get(f"/manage/{make_token('manage', ada.id, ada.token_version)}/data.json")
    assert [m["title"] for m in mine.get_json()["muted_updates"]] == ["Disclosure standard"]


def test_a_tampered_mute_link_gets_the_link_problem_page(app, client):
    assert client.get("/mute/not-a-token").status_code == 400
    assert client.post("/mute/not-a-token", data={}).status_code in (400,)


def test_reminders_carry_the_deadline_as_ics_and_personal_links_per_person(make_app, smtp_server):
    live = serve(make_app, mail_url=smtp_server.url)
    try:
        with live.app.app_context():
            make_update(
                "Disclosure standard",
                "2026-03-01T10:00",
                ("fraud-error-debt",),
                deadline="2031-03-20T23:59",
            )
            for name in ("ada", "bob"):
                make_subscriber(f"{name}@example.org", ("fraud-error-debt",))
            _tick("2031-03-13T07:00", "2031-03-13T09:00")
            backend = from_url(smtp_server.url)
            try:  # one pass: the body is rendered once and filled in per person
                assert deliver_due(backend, at("2031-03-13T09:00")).sent == 2
            finally:
                backend.close()
        messages = {m.rcpt_tos[0]: m for m in smtp_server.wait_for(2)}
    finally:
        live.stop()
    links = set()
    for message in messages.values():
        parsed = email.message_from_bytes(message.data)
        assert parsed.get_content_type() == "multipart/mixed"
        (invite,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
        assert invite.get_filename() == "deadline.ics"
        (event,) = Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")
        assert str(event["summary"]) == "Comments due: Disclosure standard"
        text = message.text()
        links.add(re.search(r"(http://127\.0\.0\.1:\d+/mute/\S+)", text)[1])
        assert "(closes in 7 days)" in text
    assert len(links) == 2  # each person their own mute link, never another's
