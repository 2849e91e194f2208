"""The manage page in Chromium with JavaScript off: two strands set differently, axe clean."""

from __future__ import annotations

import os
from pathlib import Path

from notifier.subscriptions.tokens import make_token
from tests.support.axe import serious_violations
from tests.support.content import make_subscriber, preferences_of
from tests.support.pages import subscriber


def test_two_strands_get_their_own_frequency_and_reminders(live, no_js_page, axe_page, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page = no_js_page
    with live.app.app_context():
        person = make_subscriber("ada@example.org", ("research-statistics",))
        url = f"{live.url}/manage/{make_token('manage', person.id, person.token_version)}"

    def accessible():
        assert serious_violations(axe_page, live.url, page.content()) == []

    page.goto(url)
    accessible()
    what = page.locator("#what-you-get")
    assert what.inner_text().count("\n") >= 1
    assert "Research & Statistics: a daily digest at 08:00, with deadline reminders" in (
        what.inner_text()
    )

    # Nothing ticked: the error sits beside the strands, and nothing changes.
    page.get_by_label("Research & Statistics", exact=True).uncheck()
    page.get_by_role("button", name="Save preferences").click()
    assert page.title().startswith("Error:")
    assert page.locator("#strands-error").inner_text().endswith("Choose at least one strand")
    accessible()
    page.screenshot(path=shots / "manage-error.png", full_page=True)

    # Follow Fraud, Error & Debt at once without reminders; Research & Statistics weekly.
    page.get_by_label("Research & Statistics", exact=True).check()
    page.get_by_label("Fraud, Error & Debt", exact=True).check()
    page.get_by_role("group", name="How often for Fraud, Error & Debt").get_by_label(
        "As soon as an update is published"
    ).check()
    page.get_by_label("Remind me before comment deadlines in Fraud, Error & Debt").uncheck()
    page.get_by_role("group", name="How often for Research & Statistics").get_by_label(
        "Weekly digest"
    ).check()
    page.get_by_role("button", name="Save preferences").click()

    assert page.get_by_text("Your preferences have been saved").is_visible()
    accessible()
    page.screenshot(path=shots / "manage-saved.png", full_page=True)
    told = page.locator("#what-you-get").inner_text()
    assert (
        "Research & Statistics: a weekly digest on Mondays at 08:00, with deadline reminders"
        in (told)
    )
    assert "Fraud, Error & Debt: every update as it is published, without deadline reminders" in (
        told
    )
    fraud = page.get_by_role("group", name="How often for Fraud, Error & Debt")
    assert fraud.get_by_label("As soon as an update is published").is_checked()
    assert not page.get_by_label(
        "Remind me before comment deadlines in Fraud, Error & Debt"
    ).is_checked()
    with live.app.app_context():
        assert preferences_of(subscriber("ada@example.org")) == {
            "research-statistics": ("weekly", True),
            "fraud-error-debt": ("immediate", False),
        }
