"""The clock: APScheduler jobs that call idempotent services, while this process holds the lease."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import OperationalError

from notifier.announcements import sending as announcements
from notifier.extensions import db
from notifier.feeds.poll import poll_due
from notifier.models import utcnow
from notifier.observe import metrics
from notifier.schedules import digests, housekeeping, immediate, job_runs, locks, reminders

log = logging.getLogger(__name__)

LOCK = "scheduler"
# The lease outlives a few missed heartbeats, so a busy job does not lose it, yet a dead
# scheduler's twin takes over within a couple of minutes.
LEASE_SECONDS = 120
HEARTBEAT_SECONDS = 30
MINUTE = 60
SERIAL = "serial"


def queue_digests(now: datetime) -> None:
    for kind in digests.KINDS:
        digests.queue_due(kind, now)


def queue_reminders(now: datetime) -> None:
    reminders.queue_due(now)
    reminders.notify_moved(now)


class Clock:
    """Runs each job only while this process holds the scheduler lease."""

    def __init__(self, app: Flask, holder: str | None = None):
        self.app = app
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.acting: bool | None = None
        self.stopping = threading.Event()

    def jobs(self) -> dict[str, tuple[Callable[[datetime], object], float]]:
        """Each job's function and its interval in seconds; each service runs in one job only.

        The poll only polls. What it brings in goes out through the minute jobs: immediate
        emails through "immediate", notes on moved deadlines through "reminders". They find
        what is owed whoever stored it (a poll, `notifier poll` by hand, an admin's
        correction), so calling them from the poll too only ran the same work twice.
        """
        settings = self.app.config["NOTIFIER"]
        return {
            "heartbeat": (
                lambda now: locks.beat(locks.HEARTBEAT, self.holder, now),
                HEARTBEAT_SECONDS,
            ),
            "poll": (poll_due, settings.poll_interval_minutes * MINUTE),
            # Due-checks run every minute: each finds or creates its period's run, so a tick
            # after the scheduled instant (or after downtime) does the work once.
            "immediate": (immediate.send_new_updates, MINUTE),
            "digests": (queue_digests, MINUTE),
            "reminders": (queue_reminders, MINUTE),
            "announcements": (announcements.send_due, MINUTE),
            "retention": (
                lambda now: log.info("%s", housekeeping.housekeep(now, settings)),
                60 * MINUTE,
            ),
        }

    def run(
        self, job: Callable[[datetime], object], now: datetime | None = None, name: str = ""
    ) -> bool:
        """Run one job in an app context if this process holds the lease; True if it acted."""
        if self.stopping.is_set():
            return False
        with self.app.app_context():
            now = now or utcnow()
            try:
                acting = locks.acquire(LOCK, self.holder, now, LEASE_SECONDS)
                self._say(acting)
                if not acting:
                    return False
                started = time.perf_counter()
                try:
                    job(now)
                except OperationalError:
                    raise  # nothing could be recorded either
                except Exception as exc:
                    self._record(name, now, time.perf_counter() - started, exc)
                    raise
                seconds = time.perf_counter() - started
                metrics.JOB_SECONDS.labels(name or getattr(job, "__name__", "job")).observe(seconds)
                self._record(name, now, seconds, None)
                return True
            except OperationalError as exc:
                # The database is away (a restart): one line, and the next tick tries again.
                log.warning("scheduler: database unreachable: %s", str(exc).split("\n")[0])
                return False
            except Exception:
                # One failing job must not stop the clock; every job is safe to run again.
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))
                return False
            finally:
                with contextlib.suppress(Exception):  # a dead connection may fail to roll back
                    db.session.rollback()
                    db.session.remove()

    def _record(self, name: str, now: datetime, seconds: float, error: Exception | None) -> None:
        """Keep the job's last run for the dashboard; the heartbeat shows there already."""
        if not name or name == "heartbeat":
            return
        db.session.rollback()  # a failed job may leave the session unusable
        interval = self.jobs().get(name, (None, None))[1]
        job_runs.record(name, now, seconds, error, interval)

    def _say(self, acting: bool) -> None:
        """Log when this process starts or stops being the clock that acts."""
        if acting != self.acting:
            self.acting = acting
            state = "holds the lease and acts" if acting else "is idle: another scheduler acts"
            log.info("scheduler %s %s", self.holder, state)

    def schedule(self, scheduler: BaseScheduler | None = None) -> BaseScheduler:
        """Add every job to a scheduler (a BlockingScheduler unless given), first run at once."""
        scheduler = scheduler or BlockingScheduler(timezone="UTC")
        # APScheduler logs every run of every job at INFO: once a minute each, too chatty.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        # The jobs run one at a time. A digest or reminder run must never overlap a poll: an
        # update the poll stored as of a moment before the period's end, but committed after
        # the run looked, would fall behind every subscriber's cursor and never be sent. Only
        # the heartbeat runs beside them, so a long poll does not let the lease lapse. A poll
        # ends within feed_poll_budget however slow its feeds, so no job waits longer.
        scheduler.add_executor(ThreadPoolExecutor(max_workers=1), SERIAL)
        for name, (job, seconds) in self.jobs().items():
            scheduler.add_job(
                self.run,
                "interval",
                executor="default" if name == "heartbeat" else SERIAL,
                args=[job],
                kwargs={"name": name},
                seconds=seconds,
                id=name,
                next_run_time=utcnow(),
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        return scheduler

    def stop(self) -> None:
        """Run no job that has not started; a shutdown then waits for the one in hand only.

        Every job's first run is queued at start, one after another, and a scheduler's
        shutdown waits for its whole queue: without this, stopping soon after starting waited
        for every job in turn.
        """
        self.stopping.set()

    def release(self) -> None:
        with self.app.app_context():
            locks.release(LOCK, self.holder)
