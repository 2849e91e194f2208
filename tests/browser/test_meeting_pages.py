"""Admin meeting pages, the mute page and the manage page's calendar link: no JS, axe clean."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.meetings.propose import propose_meetings
from notifier.models import Strand
from notifier.subscriptions.mute import mute_url
from notifier.subscriptions.tokens import make_token
from tests.support.axe import serious_violations
from tests.support.content import make_subscriber, make_update

PASSWORD = "a long admin password"


def test_meeting_admin_mute_and_calendar_link_pages(live, no_js_page, axe_page, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page = no_js_page
    now = datetime.now(UTC)
    day = (now + timedelta(days=20)).strftime("%-d %B")
    with live.app.app_context():
        create_admin("ops@example.org", PASSWORD)
        update = make_update(
            "Save the date",
            now.strftime("%Y-%m-%dT%H:%M"),
            ("fraud-error-debt",),
            text=f"Fraud, Error & Debt | Debt {day}, 1000-1200 https://tickets.example.org/debt",
            deadline=(now + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
        )
        propose_meetings(
            update, list(db.session.query(Strand)), live.app.config["NOTIFIER"].tz, now
        )
        ada = make_subscriber("ada@example.org", ("fraud-error-debt",))
        db.session.commit()
        mute = mute_url(ada, update.id).replace("http://notifier.test", live.url)
        manage = f"{live.url}/manage/{make_token('manage', ada.id, ada.token_version)}"

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    page.goto(f"{live.url}/admin/login")
    page.get_by_label("Email address").fill("ops@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live.url}/admin/meetings")
    assert "Fraud, Error & Debt working group: Debt" in page.content().replace("&amp;", "&")
    accessible()
    page.screenshot(path=shots / "admin-meetings-proposed.png", full_page=True)
    page.get_by_role("button", name="Confirm Fraud, Error & Debt working group: Debt").click()
    assert "Meeting confirmed" in page.locator("main").inner_text()
    page.get_by_role("link", name="Edit Fraud, Error & Debt working group: Debt").click()
    page.get_by_label("Ends").fill("not a time")
    page.get_by_role("button", name="Save").click()
    assert page.title().startswith("Error:")
    accessible()
    page.screenshot(path=shots / "admin-meeting-error.png", full_page=True)

    page.goto(mute)
    accessible()
    page.get_by_role("button", name="Stop reminders for this consultation").click()
    assert "No more reminders" in page.locator("h1").inner_text()
    page.screenshot(path=shots / "muted.png", full_page=True)

    page.goto(manage)
    page.get_by_role("button", name="Get a private calendar link").click()
    assert "/calendar/" in page.get_by_label("Your private calendar link").input_value()
    accessible()
    page.screenshot(path=shots / "manage-calendar.png", full_page=True)
