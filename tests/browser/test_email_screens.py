"""A digest and a reminder as delivered, in Chromium at phone and desktop widths."""

from __future__ import annotations

import os
from pathlib import Path

from notifier.delivery.engine import deliver_due
from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import utcnow
from tests.support.content import make_subscriber
from tests.test_email_clients import _payloads


def test_digest_and_reminder_read_well_on_a_phone_and_a_desktop(
    live, smtp_server, chromium, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    with live.app.app_context():
        now = utcnow()
        payloads = _payloads(now)
        for kind in ("digest", "reminder"):
            person = make_subscriber(
                f"{kind}@example.org", ("research-statistics", "fraud-error-debt")
            )
            key = "digest:daily:2026-12-01" if kind == "digest" else kind
            enqueue(
                f"{key}:{person.id}",
                kind,
                person.email,
                subscriber_id=person.id,
                payload=payloads[kind],
                now=now,
            )
        db.session.commit()
        backend = from_url(smtp_server.url)
        try:
            deliver_due(backend, now)
        finally:
            backend.close()
    received = {m.rcpt_tos[0].split("@")[0]: m for m in smtp_server.wait_for(2)}
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for kind, message in received.items():
            html = message.html()
            for width, name in ((375, "phone"), (1024, "desktop")):
                page.set_viewport_size({"width": width, "height": 800})
                page.set_content(html)
                # The card never runs off a phone's screen.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=shots / f"email-{kind}-{name}.png", full_page=True)
            text = page.inner_text("body")
            assert "closes in" in text or "(closes" in text
            if kind == "reminder":
                assert "Stop reminders for this consultation" in text
    finally:
        context.close()
