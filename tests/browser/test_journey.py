"""The whole journey in Chromium with JavaScript off, mail through a real SMTP server, axe on
every page: subscribe, confirm from the emailed link, manage, change strands, unsubscribe."""

from __future__ import annotations

import re

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Subscriber
from tests.support.axe import serious_violations


def test_subscribe_confirm_manage_unsubscribe(live, smtp_server, no_js_page, axe_page):
    page = no_js_page

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    # The start page; a submit with nothing filled in shows the error summary, focused.
    page.goto(live.url + "/")
    accessible()
    page.get_by_role("button", name="Subscribe").click()
    assert page.title().startswith("Error:")
    summary = page.get_by_role("alert")
    assert "Enter your email address" in summary.inner_text()
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
    accessible()
    page.get_by_role("link", name="Enter your email address").click()
    assert page.url.endswith("#email")

    # Subscribe for real.
    page.get_by_label("Email address").fill("  Ada@Example.org ")
    page.get_by_label("Research & Statistics").check()
    assert page.get_by_label("Daily digest").is_checked()
    assert page.get_by_label("Remind me before comment deadlines").is_checked()
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    accessible()

    # The confirmation reaches the SMTP server; its link comes out of the received bytes.
    live.deliver()
    [message] = smtp_server.wait_for(1)
    assert message.rcpt_tos == ["ada@example.org"]
    assert message.message["List-Unsubscribe"] is None  # nobody is on the list yet
    confirm_url = re.search(r"(http://127\.0\.0\.1:\d+/confirm/\S+)", message.text())[1]
    assert f'href="{confirm_url}"' in message.html()

    # GET shows one button and changes nothing; pressing it confirms.
    page.goto(confirm_url)
    assert status_of(live, "ada@example.org") == "pending"
    accessible()
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Subscription confirmed").is_visible()
    assert status_of(live, "ada@example.org") == "confirmed"
    accessible()

    # Manage: swap strands, and the new strand's frequency.
    page.get_by_role("link", name="Manage your preferences").click()
    assert page.get_by_label("Research & Statistics", exact=True).is_checked()
    accessible()
    page.get_by_label("Research & Statistics", exact=True).uncheck()
    page.get_by_label("Fraud, Error & Debt", exact=True).check()
    fraud = page.get_by_role("group", name="How often for Fraud, Error & Debt")
    fraud.get_by_label("Weekly digest").check()
    page.get_by_role("button", name="Save preferences").click()
    assert page.get_by_text("Your preferences have been saved").is_visible()
    assert page.get_by_label("Fraud, Error & Debt", exact=True).is_checked()
    accessible()
    with live.app.app_context():
        person = db.session.scalars(select(Subscriber)).one()
        assert {s.strand.slug: s.frequency for s in person.subscriptions} == {
            "fraud-error-debt": "weekly"
        }

    # Leave.
    page.get_by_role("button", name="Unsubscribe from all emails").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert status_of(live, "ada@example.org") == "unsubscribed"
    accessible()

    # An old link now gets the friendly page with a way to a fresh link.
    response = page.goto(confirm_url)
    assert response.status == 400
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    accessible()


def status_of(live, email):
    with live.app.app_context():
        return db.session.scalars(select(Subscriber.status).where(Subscriber.email == email)).one()
