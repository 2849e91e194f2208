"""The admin console in Chromium with JavaScript off, mail through a real SMTP server, axe on
every page: sign in, correct a deadline, and an announcement from compose to delivered mail."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notifier.extensions import db
from notifier.models import Deadline, Feed, Subscriber, Update, utcnow
from tests.support.admin import PASSWORD, make_admin
from tests.support.axe import serious_violations
from tests.support.content import make_subscriber, make_update

# Where the screenshots go, to be looked at; NOTIFIER_TEST_SCREENSHOTS moves them.
SHOTS = Path(os.environ.get("NOTIFIER_TEST_SCREENSHOTS", "/tmp/notifier-screenshots"))


@pytest.fixture
def console(live, no_js_page, axe_page):
    with live.app.app_context():
        make_admin("ops@example.org")
        for n in range(3):
            make_subscriber(f"reader{n}@example.org", ("fraud-error-debt",))
        make_subscriber("other@example.org", ("tailored-public-services",))
    page = no_js_page

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    page.goto(live.url + "/admin/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    accessible()
    page.get_by_label("Email address").fill("ops@example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address or password is not right")).to_be_visible()
    page.get_by_label("Email address").fill("ops@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as ops@example.org")).to_be_visible()
    return page, accessible


def test_an_announcement_from_compose_to_delivered_mail(live, smtp_server, console):
    page, accessible = console
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-dashboard.png"), full_page=True)
    accessible()

    page.get_by_role("link", name="Announcements").click()
    accessible()
    page.get_by_role("link", name="Write an announcement").click()
    accessible()
    page.get_by_label("Subject").fill("Workshop moved to 3 March")
    page.get_by_label("Message").fill(
        "The **Fraud, Error & Debt** workshop has moved to 3 March.\n\n"
        "[Read the agenda](https://policy.example.org/agenda)"
    )
    page.get_by_label("Fraud, Error & Debt").check()
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_text("This reaches 3 people")).to_be_visible()
    expect(page.get_by_role("heading", name="As reader0@example.org will get it")).to_be_visible()
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.get_by_role("heading", name="Workshop moved to 3 March")).to_be_visible()
    page.screenshot(path=str(SHOTS / "admin-announcement-preview.png"), full_page=True)
    accessible()
    assert smtp_server.received == []

    # A test to the admin's own address, at the SMTP server.
    page.get_by_role("button", name="Send a test to ops@example.org").click()
    expect(page.get_by_text("A test of version 1 is on its way")).to_be_visible()
    live.deliver()
    [test] = smtp_server.wait_for(1)
    assert test.rcpt_tos == ["ops@example.org"]
    assert test.message["Subject"] == "[Test] Workshop moved to 3 March"
    assert "<strong>Fraud, Error &amp; Debt</strong>" in test.html()

    # Confirm: the count again, then send.
    page.get_by_label("Now").check()
    page.get_by_role("button", name="Continue").click()
    heading = "Send “Workshop moved to 3 March” to 3 people now?"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    accessible()
    with page.expect_response(lambda r: r.url.endswith("/admin/announcements/1")) as shown:
        page.get_by_role("button", name="Yes, send it to 3 people").click()
    assert shown.value.headers["refresh"] == "5"  # refreshes itself, no script needed
    assert page.locator("#state").inner_text() == "queued"
    assert page.locator("#count-queued").inner_text() == "3"
    accessible()

    live.deliver()
    received = smtp_server.wait_for(4)
    assert sorted(m.rcpt_tos[0] for m in received[1:]) == [
        f"reader{n}@example.org" for n in range(3)
    ]
    assert all(m.message["List-Unsubscribe"] for m in received[1:])
    # The page reloads itself: no action of ours between the delivery and the new counts.
    page.locator("#count-sent", has_text="3").wait_for(timeout=15_000)
    assert page.locator("#count-queued").inner_text() == "0"
    assert page.get_by_text("Stop refreshing").count() == 0
    page.screenshot(path=str(SHOTS / "admin-announcement-progress.png"), full_page=True)

    # Once confirmed, the preview offers no way to send it again (a double press is in
    # tests/test_announcement_pages.py).
    page.get_by_role("link", name="See what it says").click()
    assert page.get_by_role("button", name="Continue").count() == 0
    live.deliver()
    assert len(smtp_server.received) == 4
    # The framed HTML alone (a full-page screenshot leaves frames blank).
    page.goto(live.url + "/admin/announcements/1/preview.html")
    page.screenshot(path=str(SHOTS / "admin-announcement-email.png"), full_page=True)


def test_correcting_a_deadline(live, console):
    page, accessible = console
    with live.app.app_context():
        feed = Feed(url="https://site.example.org/feed")
        db.session.add(feed)
        db.session.flush()
        update = Update(
            feed_id=feed.id,
            guid="g1",
            title="Draft code of practice",
            link="https://x.example/1",
            content_hash="h",
        )
        db.session.add(update)
        db.session.flush()
        db.session.add(
            Deadline(
                update_id=update.id,
                at=utcnow() + timedelta(days=3),
                sentence="Comments until Thursday 5 March.",
                weekday_mismatch=True,
            )
        )
        db.session.commit()
        update_id = update.id
    page.goto(live.url + "/admin/")
    page.get_by_role("link", name="Correct the deadline of Draft code of practice").click()
    expect(page.get_by_text("The weekday in the text does not match the date")).to_be_visible()
    accessible()
    page.get_by_label("Deadline (Europe/London time)").fill("next week")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter the deadline as a date and time").first).to_be_visible()
    accessible()
    page.get_by_label("Deadline (Europe/London time)").fill("2031-03-06T17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Deadline saved")).to_be_visible()
    with live.app.app_context():
        saved = db.session.get(Update, update_id).deadline
        assert (saved.source, saved.at.isoformat()) == ("admin", "2031-03-06T17:00:00+00:00")

    # The other content pages an editor works in, each checked by axe.
    page.get_by_role("link", name="Updates", exact=True).click()
    expect(page.get_by_text("(set by ops@example.org)")).to_be_visible()
    accessible()
    page.get_by_role("link", name="Strands", exact=True).click()
    accessible()
    page.get_by_role("link", name="Fraud, Error & Debt").click()
    page.get_by_label("Keywords").fill("fraud, debt recovery")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Strand Fraud, Error & Debt saved.")).to_be_visible()
    accessible()
    page.goto(live.url + "/admin/audit?action=strand.")
    expect(page.get_by_role("cell", name="strand.change")).to_be_visible()
    accessible()


def test_an_editor_is_refused_an_erase(live, no_js_page, axe_page):
    with live.app.app_context():
        make_admin("ed@example.org", role="editor")
        person = make_subscriber("reader@example.org", ("fraud-error-debt",))
        person_id = person.id
    page = no_js_page
    page.goto(live.url + "/admin/login")
    page.get_by_label("Email address").fill("ed@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as ed@example.org")).to_be_visible()
    page.get_by_role("link", name="Subscribers").click()
    page.get_by_label("Find by email address").fill("reader")
    page.get_by_role("button", name="Search").click()
    assert serious_violations(axe_page, live.url, page.content()) == []
    page.get_by_role("link", name="reader@example.org").click()
    expect(page.get_by_text("Only an owner can erase; you are an editor.")).to_be_visible()
    assert serious_violations(axe_page, live.url, page.content()) == []
    page.get_by_label("Yes, erase reader@example.org").check()
    with page.expect_response(lambda r: r.url.endswith("/erase")) as answer:
        page.get_by_role("button", name="Erase this subscriber").click()
    assert answer.value.status == 403
    expect(page.get_by_text("Only an owner can erase subscribers")).to_be_visible()
    with live.app.app_context():
        assert db.session.get(Subscriber, person_id) is not None
    page.goto(live.url + "/admin/audit")
    assert serious_violations(axe_page, live.url, page.content()) == []


def test_changing_an_updates_strands(live, console):
    page, accessible = console
    with live.app.app_context():
        update = make_update("Minutes of the meeting", "2026-03-02T10:00", ("research-statistics",))
        db.session.commit()
        update_id = update.id
    page.goto(live.url + "/admin/updates")
    page.get_by_role("link", name="Change the strands of Minutes of the meeting").click()
    expect(page.get_by_label("Research & Statistics")).to_be_checked()
    accessible()
    page.get_by_label("Fraud, Error & Debt").check()
    page.get_by_label("Let the service choose").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Either choose strands or let the service choose them").first
    ).to_be_visible()
    accessible()
    page.screenshot(path=str(SHOTS / "admin-update-strands-error.png"), full_page=True)
    page.get_by_label("Let the service choose").uncheck()
    page.get_by_label("Research & Statistics").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Strands saved. Later polls will not change them.")).to_be_visible()
    expect(page.get_by_text("(set by ops@example.org)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "admin-updates-strands-set.png"), full_page=True)
    with live.app.app_context():
        saved = db.session.get(Update, update_id)
        assert [s.slug for s in saved.strands] == ["fraud-error-debt"]
        assert saved.strands_set_by == "ops@example.org"
