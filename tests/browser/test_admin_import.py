"""Importing a list in Chromium with JavaScript off: a bad file refused, a good one applied."""

from __future__ import annotations

import os
from pathlib import Path

from notifier.admins import create_admin
from notifier.extensions import db
from tests.support.axe import serious_violations
from tests.support.pages import subscriber

PASSWORD = "a long admin password"
HEADER = "email,strands,frequency,reminders,consent_at,consent_source\n"


def test_a_bad_file_is_refused_then_a_good_one_previewed_and_applied(
    live, no_js_page, axe_page, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page = no_js_page
    with live.app.app_context():
        create_admin("ops@example.org", PASSWORD)
        db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
        "ada.example.org,fraud-error-debt,daily,true,,\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
        "bob@example.org,research-statistics;fraud-error-debt,daily,true,,\n"
    )

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    page.goto(f"{live.url}/admin/subscribers/import")
    page.get_by_label("Email address").fill("ops@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Import subscribers"
    accessible()
    page.screenshot(path=shots / "admin-import.png", full_page=True)

    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("h1").inner_text() == "The file cannot be imported"
    refusals = page.locator("ul.refusals li").all_inner_texts()
    assert refusals == [
        "line 3: email: Enter an email address in the correct format, like name@example.com"
    ]
    assert page.get_by_role("button", name="Import").count() == 0
    accessible()
    page.screenshot(path=shots / "admin-import-refused.png", full_page=True)
    with live.app.app_context():
        assert subscriber("ada@example.org") is None

    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("h1").inner_text() == "Check the import"
    new = page.get_by_role("row", name="New")
    assert new.get_by_role("cell").first.inner_text() == "2"
    accessible()
    page.screenshot(path=shots / "admin-import-preview.png", full_page=True)
    with live.app.app_context():
        assert subscriber("ada@example.org") is None  # a preview changes nothing

    page.get_by_role("button", name="Import 2 rows").click()
    assert "Imported 2 rows from good.csv: 2 new" in page.locator("[role=status]").inner_text()
    accessible()
    with live.app.app_context():
        assert subscriber("ada@example.org").status == "confirmed"
        assert subscriber("bob@example.org").status == "pending"
