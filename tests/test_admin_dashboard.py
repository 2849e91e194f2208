"""The overview: the clock warning, subscribers by strand, the growth chart, scheduled runs."""

from __future__ import annotations

from datetime import timedelta

from notifier.extensions import db
from notifier.models import ScheduledRun, Subscriber, utcnow
from notifier.schedules.locks import HEARTBEAT, beat
from tests.support.admin import make_admin, sign_in
from tests.support.content import at, make_subscriber


def test_the_overview_warns_when_the_clock_has_not_run(client):
    make_admin()
    sign_in(client)
    assert "The clock is not running" in client.get("/admin/").text
    beat(HEARTBEAT, "clock-1", utcnow() - timedelta(minutes=20))
    db.session.commit()
    assert "Its last heartbeat was" in client.get("/admin/").text
    beat(HEARTBEAT, "clock-1", utcnow())
    db.session.commit()
    assert "The clock is not running" not in client.get("/admin/").text


def test_the_overview_shows_strands_growth_and_runs(client):
    make_admin()
    now = utcnow()
    make_subscriber("a@example.org", ("fraud-error-debt", "research-statistics"))
    make_subscriber("b@example.org", ("fraud-error-debt",))
    db.session.add(Subscriber(email="old@example.org", created_at=now - timedelta(days=200)))
    db.session.add(
        ScheduledRun(
            kind="daily",
            period_key="2026-12-01",
            period_end=now,
            started_at=now - timedelta(seconds=3),
            finished_at=now,
            emails_queued=42,
        )
    )
    db.session.commit()
    sign_in(client)
    page = client.get("/admin/").text
    assert '<th scope="row">Fraud, Error &amp; Debt</th><td>2</td>' in page
    assert '<svg viewBox="0 0 640 220"' in page and "<polyline" in page
    assert "From 1 to 3 signed up" in page  # the old sign-up counts from the first day
    assert "<td>daily</td><td>2026-12-01</td>" in page and "3.0 s" in page and "<td>42</td>" in page


def test_the_overview_says_when_each_schedule_is_next_due(make_app):
    app = make_app(daily_at="08:00", weekly_at="monday 08:00", timezone="Europe/London")
    with app.app_context():
        from notifier.admin_overview import next_runs

        due = next_runs(at("2026-12-02T09:00"), app.config["NOTIFIER"])  # a Wednesday
        assert due["daily"] == due["reminders"] == at("2026-12-03T08:00")
        assert due["weekly"] == at("2026-12-07T08:00")
        make_admin()
        client = app.test_client()
        sign_in(client)
        page = client.get("/admin/").text
        assert "<h3>Next due</h3>" in page and "every minute" in page
