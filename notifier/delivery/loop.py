"""Keep delivering until told to stop."""

from __future__ import annotations

import logging
import signal
import threading

from flask import current_app

from notifier.delivery.worker import deliver_due
from notifier.extensions import db
from notifier.mail.backends import MailBackend
from notifier.models import utcnow

log = logging.getLogger(__name__)


def run_forever(backend: MailBackend, stop: threading.Event | None = None) -> None:
    """Deliver what is due, sleep while idle, and finish the current message on SIGTERM."""
    stop = stop or _stop_on_signals()
    idle = current_app.config["NOTIFIER"].worker_idle_seconds
    while not stop.is_set():
        try:
            tally = deliver_due(backend, utcnow())
        except Exception:
            # A database blip must not end the worker; the lease model makes retrying safe.
            log.exception("delivery pass failed; retrying")
            db.session.rollback()
            tally = None
        finally:
            db.session.remove()
        if tally is None or tally.sent + tally.retried + tally.failed == 0:
            stop.wait(idle)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    return stop
