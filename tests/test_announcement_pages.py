"""Announcements done safely, as an admin meets them: compose, preview, test, confirm, progress."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Announcement, AuditEntry, Bounce, Outbox, utcnow
from tests.support.admin import csrf_from, hidden_fields, make_admin, sign_in
from tests.support.content import make_subscriber

BODY = "The **Fraud** workshop has moved to 3 March.\n\n[Details](https://policy.example.org/w)"


@pytest.fixture
def signed_in(client):
    make_admin()
    sign_in(client)
    return client


def emails(kind: str = "announcement") -> list[Outbox]:
    return db.session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)).all()


def write_draft(client, subject="Workshop moved", body=BODY, strands=("fraud-error-debt",)):
    page = client.get("/admin/announcements/new")
    answer = client.post(
        "/admin/announcements/new",
        data={
            "csrf_token": csrf_from(page.text),
            "subject": subject,
            "body": body,
            "strands": list(strands),
        },
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def confirm_page(client, preview_path: str, **fields):
    preview = client.get(preview_path)
    item_id = int(re.search(r"/announcements/(\d+)/", preview_path)[1])
    data = hidden_fields(preview.text, f"/admin/announcements/{item_id}/confirm") | fields
    data.setdefault("when", "now")
    return client.post(f"/admin/announcements/{item_id}/confirm", data=data), item_id


def press_send(client, confirm_html: str, item_id: int):
    data = hidden_fields(confirm_html, f"/admin/announcements/{item_id}/send")
    return client.post(f"/admin/announcements/{item_id}/send", data=data)


def test_a_draft_with_missing_fields_is_refused_and_nothing_is_stored(signed_in):
    page = signed_in.get("/admin/announcements/new")
    answer = signed_in.post(
        "/admin/announcements/new", data={"csrf_token": csrf_from(page.text), "subject": " "}
    )
    assert answer.status_code == 400
    assert "Enter a subject" in answer.text and "Enter the message" in answer.text
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_saving_a_draft_sends_nothing_and_the_preview_shows_the_real_email(signed_in):
    make_subscriber("both@example.org", ("fraud-error-debt", "research-statistics"))
    make_subscriber("fraud@example.org", ("fraud-error-debt",))
    make_subscriber("other@example.org", ("tailored-public-services",))
    preview_path = write_draft(signed_in)
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0
    assert db.session.scalar(select(Announcement)).state == "draft"

    page = signed_in.get(preview_path)
    assert page.status_code == 200
    assert "This reaches 2 people" in page.text
    assert "As both@example.org will get it" in page.text
    assert '<th scope="row">Subject</th><td>Workshop moved</td>' in page.text
    assert "List-Unsubscribe-Post" in page.text and "List-Unsubscribe=One-Click" in page.text
    assert "The **Fraud** workshop has moved" in page.text  # the text part, as written
    assert "/manage/" in page.text  # the real footer, with the sample's own link

    other = signed_in.get(preview_path + "?sample=FRAUD@example.org")
    assert "As fraud@example.org will get it" in other.text
    stranger = signed_in.get(preview_path + "?sample=other@example.org")
    assert stranger.status_code == 400
    assert "other@example.org is not among the people this announcement reaches" in stranger.text


def test_the_html_preview_is_the_email_under_a_sandbox(signed_in):
    make_subscriber("fraud@example.org", ("fraud-error-debt",))
    preview_path = write_draft(signed_in, body=BODY + "\n\n<script>alert(1)</script>")
    item_id = re.search(r"/announcements/(\d+)/", preview_path)[1]
    html = signed_in.get(f"/admin/announcements/{item_id}/preview.html")
    assert html.status_code == 200
    assert "<strong>Fraud</strong>" in html.text and "<script>" not in html.text
    assert 'style="' in html.text  # the CSS inlined as it is sent
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in html.headers["Content-Security-Policy"]


def test_a_test_send_goes_to_the_admin_once_per_version(signed_in):
    make_subscriber("fraud@example.org", ("fraud-error-debt",))
    preview_path = write_draft(signed_in)
    item_id = re.search(r"/announcements/(\d+)/", preview_path)[1]
    token = csrf_from(signed_in.get(preview_path).text)
    first = signed_in.post(f"/admin/announcements/{item_id}/test", data={"csrf_token": token})
    again = signed_in.post(f"/admin/announcements/{item_id}/test", data={"csrf_token": token})
    assert first.status_code == again.status_code == 302
    tests = emails("announcement_test")
    assert [row.to_address for row in tests] == ["ops@example.org"]
    assert emails() == []  # nobody on the list got anything
    assert "was already sent to ops@example.org" in signed_in.get(preview_path).text

    from notifier.emails import render

    email = render(tests[0])
    assert email.subject == "[Test] Workshop moved"
    assert f"/admin/announcements/{item_id}/preview" in email.text
    assert "/manage/" not in email.text  # no subscriber's own link in an admin's inbox


def test_confirm_repeats_the_count_and_send_twice_sends_once(signed_in):
    for n in range(3):
        make_subscriber(f"f{n}@example.org", ("fraud-error-debt",))
    preview_path = write_draft(signed_in)
    confirm, item_id = confirm_page(signed_in, preview_path)
    assert confirm.status_code == 200
    assert "Send “Workshop moved” to 3 people now?" in confirm.text
    assert "Yes, send it to 3 people" in confirm.text
    assert emails() == []  # the confirm page itself sends nothing

    first = press_send(signed_in, confirm.text, item_id)
    second = press_send(signed_in, confirm.text, item_id)
    assert first.status_code == second.status_code == 302
    assert len(emails()) == 3
    assert {row.announcement_id for row in emails()} == {item_id}
    progress = signed_in.get(first.headers["Location"]).text
    assert "already confirmed by ops@example.org" in progress
    item = db.session.get(Announcement, item_id)
    assert (item.state, item.recipients_confirmed, item.confirmed_by) == (
        "queued",
        3,
        "ops@example.org",
    )
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("announcement.confirm") == 1


def test_two_admins_sending_the_same_draft_send_it_once(make_app):
    app = make_app()
    with app.app_context():
        make_admin("one@example.org")
        make_admin("two@example.org")
        make_subscriber("f@example.org", ("fraud-error-debt",))
        one, two = app.test_client(), app.test_client()
        sign_in(one, "one@example.org")
        sign_in(two, "two@example.org")
        preview_path = write_draft(one)
        confirm_one, item_id = confirm_page(one, preview_path)
        confirm_two, _ = confirm_page(two, preview_path)
        press_send(one, confirm_one.text, item_id)
        refused = press_send(two, confirm_two.text, item_id)
        assert len(emails()) == 1
        assert "already confirmed by one@example.org" in two.get(refused.headers["Location"]).text


def test_a_draft_edited_after_its_preview_is_not_sent_until_checked_again(signed_in):
    make_subscriber("f@example.org", ("fraud-error-debt",))
    preview_path = write_draft(signed_in)
    confirm, item_id = confirm_page(signed_in, preview_path)
    form = signed_in.get(f"/admin/announcements/{item_id}/edit")
    assert 'value="Workshop moved"' in form.text
    signed_in.post(
        f"/admin/announcements/{item_id}/edit",
        data={
            "csrf_token": csrf_from(form.text),
            "subject": "Workshop moved (typo fixed)",
            "body": BODY,
            "strands": ["fraud-error-debt"],
        },
    )
    stale = press_send(signed_in, confirm.text, item_id)
    assert emails() == []
    assert "changed after you checked it" in signed_in.get(stale.headers["Location"]).text
    assert db.session.get(Announcement, item_id).state == "draft"


def test_a_scheduled_announcement_can_be_cancelled_until_it_starts(signed_in, runner):
    make_subscriber("f@example.org", ("fraud-error-debt",))
    preview_path = write_draft(signed_in)
    bad, item_id = confirm_page(signed_in, preview_path, when="later", send_at="2020-01-01T09:00")
    assert bad.status_code == 400 and "That time has passed" in bad.text
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    confirm, _ = confirm_page(signed_in, preview_path, when="later", send_at=later)
    assert confirm.status_code == 200 and "to 1 person at" in confirm.text
    done = press_send(signed_in, confirm.text, item_id)
    page = signed_in.get(done.headers["Location"]).text
    assert '<span id="state">scheduled</span>' in page and "Cancel this announcement" in page
    assert emails() == []

    cancelled = signed_in.post(
        f"/admin/announcements/{item_id}/cancel", data={"csrf_token": csrf_from(page)}
    )
    assert (
        "Cancelled: nothing of it will be sent" in signed_in.get(cancelled.headers["Location"]).text
    )
    runner.invoke(
        args=["announcements", "send-due", "--now", (utcnow() + timedelta(days=3)).isoformat()]
    )
    assert emails() == []


def test_a_started_announcement_cannot_be_cancelled(signed_in):
    make_subscriber("f@example.org", ("fraud-error-debt",))
    confirm, item_id = confirm_page(signed_in, write_draft(signed_in))
    press_send(signed_in, confirm.text, item_id)
    page = signed_in.get(f"/admin/announcements/{item_id}").text
    assert "Cancel this announcement" not in page
    answer = signed_in.post(
        f"/admin/announcements/{item_id}/cancel", data={"csrf_token": csrf_from(page)}
    )
    assert "It cannot be cancelled: it is queued" in signed_in.get(answer.headers["Location"]).text
    assert len(emails()) == 1 and emails()[0].status == "queued"


def test_progress_counts_each_outcome_and_refreshes_without_script(signed_in):
    for n in range(4):
        make_subscriber(f"f{n}@example.org", ("fraud-error-debt",))
    confirm, item_id = confirm_page(signed_in, write_draft(signed_in))
    press_send(signed_in, confirm.text, item_id)
    answer = signed_in.get(f"/admin/announcements/{item_id}")
    page = answer.text
    assert answer.headers["Refresh"] == "5" and "Stop refreshing" in page
    stopped = signed_in.get(f"/admin/announcements/{item_id}?refresh=off")
    assert "Refresh" not in stopped.headers and "Refresh every 5 seconds" in stopped.text
    assert '<td id="count-queued">4</td>' in page

    rows = emails()
    rows[0].status, rows[1].status, rows[2].status = "sent", "sent", "failed"
    db.session.add(Bounce(email=rows[1].to_address, outbox_id=rows[1].id, kind="hard"))
    rows[3].status = "sent"
    db.session.commit()
    finished = signed_in.get(f"/admin/announcements/{item_id}")
    done = finished.text
    assert '<td id="count-sent">3</td>' in done and '<td id="count-failed">1</td>' in done
    assert '<td id="count-bounced">1</td>' in done and '<td id="count-queued">0</td>' in done
    assert "Refresh" not in finished.headers  # finished: no more refreshing


def test_an_announcement_that_reaches_nobody_cannot_be_confirmed(signed_in):
    preview_path = write_draft(signed_in, strands=("tailored-public-services",))
    page = signed_in.get(preview_path)
    assert "This reaches 0 people" in page.text and "nothing to preview" in page.text
    confirm, _ = confirm_page(signed_in, preview_path)
    assert confirm.status_code == 400 and "reaches nobody" in confirm.text
