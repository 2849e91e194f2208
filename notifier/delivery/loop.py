"""Keep delivering until told to stop."""

from __future__ import annotations

import logging
import signal
import threading

from flask import current_app

from notifier.delivery.rate import TokenBucket
from notifier.delivery.worker import deliver_due
from notifier.extensions import db
from notifier.mail.backends import MailBackend
from notifier.models import utcnow

log = logging.getLogger(__name__)


def run_forever(backend: MailBackend, stop: threading.Event | None = None) -> None:
    """Deliver what is due, sleep while idle, and finish the current message on SIGTERM."""
    stop = stop or stop_on_signals()
    settings = current_app.config["NOTIFIER"]
    # One bucket for the life of the worker: the rate is per worker, not per pass.
    limiter = TokenBucket(settings.mail_rate_per_second)
    outages = 0
    while not stop.is_set():
        try:
            tally = deliver_due(backend, utcnow(), stop=stop, limiter=limiter)
        except Exception:
            # A database blip must not end the worker; the lease model makes retrying safe.
            log.exception("delivery pass failed; retrying")
            db.session.rollback()
            tally = None
        finally:
            db.session.remove()
        trouble = tally is None or tally.server_gone
        outages = outages + 1 if trouble else 0
        if trouble:
            log.warning("mail server or database unreachable; the rest stays queued")
        if trouble or tally.handled == 0:
            # Wait longer while the trouble lasts, up to a minute, so an outage is not hammered.
            idle = settings.worker_idle_seconds
            stop.wait(min(idle * 2 ** max(outages - 1, 0), max(idle, 60.0)))


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM or SIGINT sets, so the worker ends between two messages."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    return stop
