"""A NUL character pasted into the subscribe form, in Chromium: the error is beside the field."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Subscriber
from tests.support.axe import serious_violations

SHOTS = Path(os.environ.get("NOTIFIER_TEST_SCREENSHOTS", "/tmp/notifier-screenshots"))


def test_a_pasted_nul_is_an_error_beside_the_email_field(live, no_js_page, axe_page):
    page = no_js_page
    page.goto(live.url + "/")
    page.get_by_label("Email address").fill("ada@exam\x00ple.org")
    page.get_by_label("Fraud, Error & Debt").check()
    page.get_by_label("Weekly digest").check()
    page.get_by_role("button", name="Subscribe").click()

    assert page.title().startswith("Error:")
    message = "Email address must not contain the NUL character (it is invisible)"
    assert page.get_by_role("alert").get_by_role("link", name=message).is_visible()
    assert message in page.locator("#email-error").inner_text()
    assert page.get_by_label("Email address").input_value() == "ada@example.org"
    assert page.get_by_label("Fraud, Error & Debt").is_checked()
    assert page.get_by_label("Weekly digest").is_checked()
    assert serious_violations(axe_page, live.url, page.content()) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "subscribe-nul-error.png"), full_page=True)
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
