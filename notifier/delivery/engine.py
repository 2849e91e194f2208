"""The delivery engine: a pass runs lanes, one per SMTP connection, until nothing is due.

The engine knows a store, a composer, outcomes and a mailer: a backend (one connection, so
one lane) or a factory that opens a backend per lane, up to NOTIFIER_MAIL_CONNECTIONS.
Killing a worker at any instant loses nothing and re-sends at most one email per lane: the
one whose server reply had not been recorded (docs/adr/0022-delivery-engine-v2.md).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime, timedelta

from flask import current_app

from notifier.delivery import outcomes
from notifier.delivery.backlog import database_gone, flush
from notifier.delivery.compose import Composer
from notifier.delivery.lane import Lane
from notifier.delivery.rate import SharedRate
from notifier.delivery.store import rows_stay_loaded
from notifier.delivery.tally import Tally, worker_name
from notifier.emails.templates import sharing
from notifier.extensions import db
from notifier.settings import current_settings

log = logging.getLogger(__name__)


class Pass:
    """What every lane of one pass shares."""

    new_tally = Tally
    database_gone = staticmethod(database_gone)

    def __init__(self, now, worker, stop, limiter, backlog):
        settings = current_settings()
        self.now, self.worker, self.stop, self.limiter = now, worker, stop, limiter
        self.backlog = backlog  # outcomes the database could not take yet
        self.composer = Composer(settings)
        self.batch_size, self.lease_seconds = settings.mail_batch_size, settings.mail_lease_seconds
        self.retry_hours = settings.mail_retry_hours
        self.started = time.monotonic()

    def moment(self) -> datetime:
        """Now on the pass's clock: each message, lease and backoff gets its own time."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)


def deliver_due(mailer, now, worker=None, stop=None, limiter=None, backlog=None) -> Tally:
    """Send every row due at now over one lane per connection, until none is left or stop.

    While the database is away the pass waits (one line in the log), keeping any outcome the
    relay had already answered for, and carries on when it is back.
    """
    settings = current_settings()
    worker = worker or worker_name()
    stop = stop or threading.Event()
    limiter = limiter if limiter is not None else SharedRate(settings.mail_rate_per_second, worker)
    backlog = backlog if backlog is not None else []
    tally, outage = Tally(), 0
    started = time.monotonic()
    while True:
        if flush(backlog):
            moment = now + timedelta(seconds=time.monotonic() - started)
            lanes = _run(Pass(moment, worker, stop, limiter, backlog), mailer, settings)
            gone = any(lane.tally.database_gone for lane in lanes)
            for lane in lanes:
                lane.tally.database_gone = False
                tally += lane.tally
            if not gone:
                break
        if stop.is_set():
            tally.database_gone = True
            if backlog:
                ids = [item.row_id for item in backlog if isinstance(item, outcomes.Outcome)]
                log.error("stopping with outcomes unwritten (these may be sent again): %s", ids)
            break
        outage += 1
        stop.wait(min(0.5 * 2**outage, 15.0))
    return tally


def _run(run: Pass, mailer, settings) -> list[Lane]:
    if not callable(mailer):
        lane = Lane(run, 0, mailer)
        _drain(lane, None, own=False)
        return [lane]
    lanes = [Lane(run, n, mailer()) for n in range(settings.mail_connections)]
    app = current_app._get_current_object()
    threads = [threading.Thread(target=_drain, args=(lane, app, True)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return lanes


def _drain(lane: Lane, app, own: bool) -> None:
    """Run one lane in its own app context (its own session) when it has its own thread."""
    context = app.app_context() if app is not None else _Nothing()
    with context, sharing(), rows_stay_loaded():
        try:
            lane.drain()
        except Exception as exc:
            lane.tally.database_gone = True
            if database_gone(exc):
                log.warning("database unreachable during delivery: %s", str(exc).split("\n")[0])
            else:
                log.exception("delivery lane %s failed", lane.name)
            with contextlib.suppress(Exception):  # a dead connection may fail to roll back too
                db.session.rollback()
        finally:
            if own:
                lane.backend.close()
            if app is not None:
                with contextlib.suppress(Exception):
                    db.session.remove()


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
