"""The public archive in Chromium: readable at phone and desktop widths, and axe clean."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notifier.extensions import db
from notifier.models import Meeting
from tests.support.axe import serious_violations
from tests.support.content import make_update, strand


def test_updates_archive_and_an_update_page_are_accessible(live, no_js_page, axe_page, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    soon = (datetime.now(UTC) + timedelta(days=4)).strftime("%Y-%m-%dT23:59")
    with live.app.app_context():
        open_one = make_update(
            "Disclosure standard for data sharing | Proposal for comments",
            "2026-11-10T09:30",
            ("tailored-public-services",),
            deadline=soon,
            text="A draft standard for publishing what data is shared, and why.",
        )
        make_update("Discussion document published", "2026-09-15T11:00", ())
        make_update(
            "Fraud, Error & Debt | Workshop notes", "2026-10-01T11:00", ("fraud-error-debt",)
        )
        start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=6)
        db.session.add(
            Meeting(
                strand=strand("fraud-error-debt"),
                title="Fraud working group",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="Online",
                registration_url="https://tickets.example.org/1",
                status="confirmed",
            )
        )
        db.session.commit()
        update_id = open_one.id
    page = no_js_page
    for width, name in ((375, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live.url}/updates")
        assert page.locator("#open-for-comment").inner_text().count("Closes in 4 days") == 1
        page.screenshot(path=shots / f"updates-{name}.png", full_page=True)
    assert serious_violations(axe_page, live.url, page.content()) == []
    page.get_by_role("link", name="Fraud, Error & Debt", exact=True).click()
    assert page.title().startswith("Fraud, Error & Debt: updates")
    assert serious_violations(axe_page, live.url, page.content()) == []
    page.goto(f"{live.url}/updates/{update_id}")
    assert "Closes in 4 days" in page.locator("main").inner_text()
    page.screenshot(path=shots / "update-page.png", full_page=True)
    assert serious_violations(axe_page, live.url, page.content()) == []
    page.get_by_role("link", name="Get updates by email").click()
    assert page.get_by_role("heading", name="Get updates by email").is_visible()
