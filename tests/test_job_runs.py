"""Each clock job's last start, duration and result, recorded by the clock and on the dashboard."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import JobRun
from notifier.schedules.clock import Clock
from tests.support.admin import make_admin, sign_in
from tests.support.content import at


def test_the_clock_records_each_jobs_last_run_and_the_dashboard_shows_it(app, client):
    clock = Clock(app, holder="test-clock")
    now = at("2031-03-10T08:00")
    assert clock.run(lambda now: time.sleep(0.2), now, name="poll")

    def broken(now):
        raise RuntimeError("the feed store is on fire\nsecond line")

    assert not clock.run(broken, now, name="retention")
    assert clock.run(lambda now: None, now, name="announcements")
    assert clock.run(lambda now: None, now, name="heartbeat")  # shown by its own line

    db.session.expire_all()
    runs = {row.name: row for row in db.session.scalars(select(JobRun))}
    assert set(runs) == {"poll", "retention", "announcements"}
    poll = runs["poll"]
    assert poll.started_at == now and poll.result == "ok" and 0.2 <= poll.seconds < 5
    assert poll.next_at == now + timedelta(minutes=app.config["NOTIFIER"].poll_interval_minutes)
    assert (runs["retention"].result, runs["retention"].error) == (
        "failed",
        "the feed store is on fire",
    )
    assert runs["retention"].next_at == now + timedelta(hours=1)
    assert runs["announcements"].next_at == now + timedelta(minutes=1)

    # A later run replaces the row: one a job, however long the clock runs.
    later = now + timedelta(hours=1)
    assert clock.run(lambda now: None, later, name="retention")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 3
    retention = db.session.get(JobRun, "retention")
    assert (retention.started_at, retention.result, retention.error) == (later, "ok", None)

    make_admin()
    sign_in(client)
    page = client.get("/admin/").text
    section = page[page.index("<h3>Clock jobs</h3>") : page.index("<h3>Next due</h3>")]
    for name in ("poll", "retention", "announcements"):
        assert f"<td>{name}</td>" in section
    assert "heartbeat" not in section
    assert f"<td>{poll.seconds:.1f} s</td>" in section
    assert "10 March 2031, 08:00" in section and "10 March 2031, 09:00" in section


def test_a_failed_run_stands_out_on_the_dashboard(app, client):
    clock = Clock(app, holder="test-clock")

    def broken(now):
        raise ValueError("no such strand")

    clock.run(broken, at("2031-03-10T08:00"), name="digests")
    make_admin()
    sign_in(client)
    page = client.get("/admin/").text
    assert '<strong class="flag">failed</strong>: no such strand' in page


def test_before_any_run_the_dashboard_says_so(app, client):
    make_admin()
    sign_in(client)
    assert "No job has run yet." in client.get("/admin/").text
