"""Privacy pages in Chromium with JavaScript off: the notice, my data, erase; axe clean."""

from __future__ import annotations

import json
import os
from pathlib import Path

from notifier.subscriptions.erase import is_erased
from notifier.subscriptions.tokens import make_token
from tests.support.axe import serious_violations
from tests.support.content import make_subscriber
from tests.support.pages import subscriber


def test_from_the_manage_page_to_my_data_and_erase(live, no_js_page, axe_page, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page = no_js_page
    with live.app.app_context():
        person = make_subscriber("ada@example.org", ("research-statistics",))
        url = f"{live.url}/manage/{make_token('manage', person.id, person.token_version)}"

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    page.goto(url)
    page.get_by_role("link", name="Privacy notice").click()
    assert page.title().startswith("Privacy notice")
    accessible()
    page.screenshot(path=shots / "privacy.png", full_page=True)

    page.goto(url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything we hold about you").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["address"] == "ada@example.org"

    page.get_by_role("link", name="Erase your data").click()
    assert page.title().startswith("Erase your data")
    accessible()
    page.screenshot(path=shots / "erase-confirm.png", full_page=True)
    page.get_by_role("button", name="Erase my data").click()
    assert page.locator("h1").inner_text() == "Your data has been erased"
    accessible()
    page.screenshot(path=shots / "erased.png", full_page=True)
    with live.app.app_context():
        assert subscriber("ada@example.org") is None
        assert is_erased("ada@example.org")
    page.goto(url)
    assert page.locator("h1").inner_text() == "This link does not work"
