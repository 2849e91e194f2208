"""The clock: one scheduler acts at a time, jobs are wired, stale claims and old rows go."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from notifier.delivery.store import claim
from notifier.extensions import db
from notifier.models import AuditEntry, Lock, Outbox, ScheduledRun
from notifier.schedules import clock as clock_module
from notifier.schedules import housekeeping, locks
from notifier.schedules.clock import LOCK, Clock
from tests.support.content import at, make_subscriber, make_update, outbox


def contend(app, workers: int, action) -> list:
    """Run action(index) in several threads, each with its own app context, all at once."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def work(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = action(index)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_of_two_contenders_exactly_one_gets_the_lease(app):
    now = at("2026-03-10T08:00")
    for round_ in range(5):
        results = contend(app, 2, lambda i, r=round_: locks.acquire(f"l{r}", f"h{i}", now, 60))
        assert sorted(results) == [False, True], results
    # The holder renews; the other takes over only once the lease has lapsed.
    holder = db.session.scalar(select(Lock.holder).where(Lock.name == "l0"))
    other = "h1" if holder == "h0" else "h0"
    assert locks.acquire("l0", holder, now + timedelta(seconds=30), 60)
    assert not locks.acquire("l0", other, now + timedelta(seconds=60), 60)
    assert locks.acquire("l0", other, now + timedelta(seconds=91), 60)
    locks.release("l0", other)
    assert db.session.scalar(select(func.count()).select_from(Lock).where(Lock.name == "l0")) == 0


def test_two_schedulers_at_once_only_one_acts(app):
    for n in range(6):
        make_subscriber(f"s{n}@example.org", ("research-statistics",))
    make_update("Paper", "2026-03-09T12:00", ("research-statistics",))
    clocks = [Clock(app, holder=f"clock-{n}") for n in range(2)]
    now = at("2026-03-10T08:00")

    acted = contend(app, 2, lambda i: clocks[i].run(clock_module.queue_digests, now))

    assert sorted(acted) == [False, True]
    keys = [row.key for row in outbox("digest")]
    assert len(keys) == len(set(keys)) == 6
    assert db.session.scalar(select(Lock.holder)) in {"clock-0", "clock-1"}


def test_the_scheduler_runs_its_jobs_and_polls_through_the_feed_part(app, monkeypatch):
    polled = []
    monkeypatch.setattr(clock_module, "poll_due", lambda now: polled.append(now) or [])
    make_subscriber(
        "fast@example.org",
        ("research-statistics",),
        frequency="immediate",
        confirmed="2020-01-01T00:00",
    )
    make_update("Just in", "2020-06-01T00:00")
    clock = Clock(app)
    scheduler = clock.schedule(BackgroundScheduler(timezone="UTC"))
    assert {job.id for job in scheduler.get_jobs()} == {
        "heartbeat",
        "poll",
        "immediate",
        "digests",
        "reminders",
        "announcements",
        "retention",
    }
    scheduler.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (polled and outbox("immediate")):
            time.sleep(0.1)
            db.session.expire_all()
    finally:
        scheduler.shutdown()
        clock.release()
    assert polled
    assert [row.to_address for row in outbox("immediate")] == ["fast@example.org"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(ScheduledRun).where(ScheduledRun.kind == "daily")
        )
        == 1
    )


def test_stale_claims_are_taken_back_and_old_rows_deleted(app):
    now = at("2026-03-10T08:00")

    def row(key: str, **fields) -> Outbox:
        fields.setdefault("next_attempt_at", now - timedelta(minutes=1))
        return Outbox(key=key, kind="digest", to_address="a@x.org", **fields)

    rows = [
        row("stale", claimed_by="dead", lease_until=now - timedelta(seconds=1)),
        row("live", claimed_by="alive", lease_until=now + timedelta(seconds=60)),
        row("old-sent", status="sent", created_at=now - timedelta(days=200)),
        row("old-queued", created_at=now - timedelta(days=200)),
        row("new-sent", status="sent", created_at=now - timedelta(days=10)),
    ]
    db.session.add_all(rows)
    db.session.add_all(
        [AuditEntry(actor="cli", action="x", at=now - timedelta(days=days)) for days in (200, 10)]
    )
    db.session.commit()

    assert housekeeping.purge_old(now, 180) == (1, 1)
    # A stale claim comes back through the claim query itself (no job needed): an expired
    # lease is anyone's, a live one is not.
    claim(now, "taker", 10, 300)

    left = {row.key: row.claimed_by for row in db.session.scalars(select(Outbox))}
    assert left == {"stale": "taker", "live": "alive", "old-queued": "taker", "new-sent": None}


def test_two_scheduler_processes_at_once_only_one_acts(app, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NOTIFIER_SECRET_KEY="test",
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "clock"),
        NOTIFIER_MAIL_URL=(tmp_path / "mail").as_uri(),
    )
    command = [sys.executable, "-c", "from notifier.cli import main; main()", "scheduler"]
    logs = [tmp_path / f"clock{n}.log" for n in range(2)]
    processes = [
        subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            said = [log.read_text() for log in logs]
            if all("holds the lease" in text or "is idle" in text for text in said):
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
    assert sum("holds the lease and acts" in text for text in said) == 1, said
    assert sum("is idle: another scheduler acts" in text for text in said) == 1, said
    # Stopped with SIGTERM, each gave the lease back (the idle one may have taken over); the
    # heartbeat row stays, so /healthz sees the clock's last beat growing old.
    assert db.session.scalar(select(func.count()).select_from(Lock).where(Lock.name == LOCK)) == 0
    assert db.session.scalar(select(Lock.name)) == locks.HEARTBEAT


def test_jobs_never_overlap_so_a_poll_cannot_straddle_a_digest_run(app, monkeypatch):
    spans = []

    def slow(name):
        def job(now):
            start = time.monotonic()
            time.sleep(0.3)
            spans.append((name, start, time.monotonic()))

        return job

    class TwoJobs(Clock):
        def jobs(self):
            return {
                "heartbeat": (lambda now: None, 30),
                "poll": (slow("poll"), 60),
                "digests": (slow("digests"), 60),
            }

    clock = TwoJobs(app)
    scheduler = clock.schedule(BackgroundScheduler(timezone="UTC"))
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while len(spans) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
        clock.release()
    (_, first_start, first_end), (_, second_start, _) = sorted(spans, key=lambda s: s[1])
    assert second_start >= first_end


def test_a_stop_waits_for_the_job_in_hand_and_runs_none_of_those_queued(app):
    started = []

    def slow(name):
        def job(now):
            started.append(name)
            time.sleep(0.5)

        return job

    class QueuedJobs(Clock):
        def jobs(self):
            return {"heartbeat": (lambda now: None, 30)} | {
                name: (slow(name), 60) for name in ("poll", "immediate", "digests", "reminders")
            }

    clock = QueuedJobs(app)
    scheduler = clock.schedule(BackgroundScheduler(timezone="UTC"))
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while not started and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stopping = time.monotonic()
        clock.stop()
        scheduler.shutdown(wait=True)
        clock.release()
    # All four were queued at start; the one running finishes, the other three never begin.
    assert len(started) == 1, started
    assert time.monotonic() - stopping < 1.5
