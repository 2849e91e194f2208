"""Keep delivering until told to stop: the long-running `notifier worker`, and its stop API.

`Worker(app, mailer).stop()` is the clean stop any host process can call (`notifier serve`
does, from its own shutdown): the messages in flight finish and are recorded, the rest of each
lane's batch is handed back, and run() returns within a few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading

from flask import Flask

from notifier.delivery.engine import deliver_due, worker_name
from notifier.delivery.rate import SharedRate
from notifier.extensions import db
from notifier.models import utcnow

log = logging.getLogger(__name__)


class Worker:
    """Passes over the outbox until stop(); a database or relay outage only makes it wait."""

    def __init__(self, app: Flask, mailer, stop: threading.Event | None = None):
        self.app, self.mailer = app, mailer
        self.stopping = stop or threading.Event()
        self.name = worker_name()

    def stop(self) -> None:
        """Finish the messages in flight, hand back the rest, and let run() return."""
        self.stopping.set()

    def run(self) -> None:
        with self.app.app_context():
            settings = self.app.config["NOTIFIER"]
            # One rate share and one backlog for the life of the worker, not per pass.
            limiter = SharedRate(settings.mail_rate_per_second, self.name)
            backlog: list = []
            try:
                self._loop(settings, limiter, backlog)
            finally:
                limiter.retire()

    def _loop(self, settings, limiter, backlog) -> None:
        outages = 0
        while not self.stopping.is_set():
            try:
                tally = deliver_due(
                    self.mailer, utcnow(), self.name, self.stopping, limiter, backlog
                )
            except Exception:
                # Whatever went wrong, the lease model makes another pass safe.
                log.exception("delivery pass failed; retrying")
                tally = None
            finally:
                with contextlib.suppress(Exception):  # a dead connection may fail to close
                    db.session.rollback()
                    db.session.remove()
            trouble = tally is None or tally.server_gone
            outages = outages + 1 if trouble else 0
            if trouble:
                log.warning("mail server unreachable; the rest stays queued")
            if trouble or tally.handled == 0:
                # Wait longer while the trouble lasts, up to a minute, so an outage is not hammered.
                idle = settings.worker_idle_seconds
                self.stopping.wait(min(idle * 2 ** max(outages - 1, 0), max(idle, 60.0)))


def run_forever(mailer, stop: threading.Event | None = None) -> None:
    """Deliver in this app's context until stop is set (or SIGTERM/SIGINT without one)."""
    from flask import current_app

    Worker(current_app._get_current_object(), mailer, stop or stop_on_signals()).run()


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM or SIGINT sets, so the worker ends between two messages."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    return stop
