"""Schedule emails on the wire: real bytes through the SMTP server, scored by SpamAssassin."""

from __future__ import annotations

import pytest

from notifier.delivery.engine import deliver_due
from notifier.mail.backends import from_url
from notifier.schedules import digests, reminders
from tests.support.admin import announce
from tests.support.content import at, make_subscriber, make_update
from tests.support.spamassassin import spam_score

TEXT = (
    "The Research and Statistics strand has published its draft code of practice for "
    "accredited researchers. It sets out how de-identified data may be shared for research, "
    "and the safeguards that apply."
)


@pytest.fixture
def delivered(make_app, smtp_server):
    """Queue a digest, a reminder and an announcement, and deliver them over real SMTP."""
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        make_subscriber("reader@example.org", ("research-statistics",))
        make_update(
            "Draft code of practice",
            "2026-03-09T10:00",
            ("research-statistics",),
            text=TEXT,
            deadline="2026-03-15T23:59",
        )
        make_update(
            "Minutes of the February meeting", "2026-03-09T11:00", text="Notes of the open meeting."
        )
        make_update(
            "Consultation on sharing debt data",
            "2026-02-01T10:00",
            baseline=True,
            deadline="2026-03-17T23:59",
        )
        digests.queue_due("daily", at("2026-03-10T08:00"))
        reminders.queue_due(at("2026-03-10T08:00"))
        announce(
            "Open meeting on 12 May",
            "We are holding an **open meeting** on 12 May in London.\n\n"
            "Read the [agenda](https://policy.example.org/meeting) before you come.",
            [],
            None,
            None,
            at("2026-03-10T09:00"),
        )
        backend = from_url(smtp_server.url)
        try:
            tally = deliver_due(backend, at("2026-03-10T09:00"))
        finally:
            backend.close()
        assert tally.sent == 3
    return {m.message["Subject"]: m for m in smtp_server.wait_for(3)}


def test_list_emails_arrive_with_unsubscribe_headers_and_links(delivered):
    assert sorted(delivered) == [
        "Comments on Consultation on sharing debt data close in 7 days: "
        "Tuesday 17 March 2026, 23:59 GMT",
        "Open meeting on 12 May",
        "Your daily digest: 2 updates · comments on Draft code of practice close Sunday",
    ]
    for received in delivered.values():
        message = received.message
        assert received.rcpt_tos == ["reader@example.org"]
        assert message["List-Unsubscribe"].strip().startswith("<http://notifier.test/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "http://notifier.test/manage/" in received.text()
        assert "http://notifier.test/manage/" in received.html()
    digest = delivered[
        "Your daily digest: 2 updates · comments on Draft code of practice close Sunday"
    ].text()
    assert digest.index("Research & Statistics") < digest.index("Draft code of practice")
    # New and closing soon: listed once, with its deadline and the days left.
    assert digest.count("Draft code of practice") == 1 and "Closing soon" not in digest
    assert "Comments close: Sunday 15 March 2026, 23:59 GMT (closes in 5 days)" in digest


def test_schedule_emails_score_low_with_spamassassin(delivered):
    scores = {subject: spam_score(m.data) for subject, m in delivered.items()}
    print(scores)  # shown with pytest -s
    assert all(score < 2.0 for score, _ in scores.values()), scores
