"""Claim due outbox rows, render and send them, and record what the server said.

Exactly once: a row's outcome is committed right after the server answers for it, one message
at a time, so a worker killed at any instant leaves at most the message in flight unrecorded;
its lease then expires and another pass sends that one message again (with the same
Message-ID, so receiving systems can tell it is a repeat).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload, selectinload

from notifier.bounces.suppression import record_bounce
from notifier.delivery.claims import claim, release
from notifier.delivery.rate import TokenBucket
from notifier.delivery.rules import refusal
from notifier.delivery.tracking import tracking_from
from notifier.emails import render
from notifier.extensions import db
from notifier.mail.backends import ConnectionLost, MailBackend, PermanentFailure, TemporaryFailure
from notifier.mail.message import build_bytes
from notifier.mail.signing import signer_from
from notifier.models import Outbox, Subscriber, Subscription

log = logging.getLogger(__name__)

# Stop taking messages from a batch once this share of the lease is used, so a slow batch is
# handed back before its lease can expire under a message that is being sent.
LEASE_MARGIN = 0.8


@dataclass
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    # The SMTP server could not be reached: the pass ended early and left the rest due.
    server_gone: bool = False

    def __iadd__(self, other: Tally) -> Tally:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.cancelled += other.cancelled
        self.server_gone = self.server_gone or other.server_gone
        return self

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver_due(
    backend: MailBackend,
    now: datetime,
    worker: str | None = None,
    stop: threading.Event | None = None,
    limiter: TokenBucket | None = None,
) -> Tally:
    """Send every row due at now, batch by batch, until none is left or stop is set."""
    settings = current_app.config["NOTIFIER"]
    run = _Run(
        backend=backend,
        now=now,
        worker=worker or worker_name(),
        limiter=limiter or TokenBucket(settings.mail_rate_per_second),
        settings=settings,
    )
    tally = Tally()
    started = time.monotonic()
    with _outcome_connection() as outcomes, _rows_stay_loaded():
        run.outcomes = outcomes
        while not _stopped(stop) and not tally.server_gone:
            # Leases run from the moment of each claim, not from the start of the pass: in a
            # pass longer than a lease, a batch leased from the start would be expired on
            # arrival and free for another worker to send as well.
            moment = now + timedelta(seconds=time.monotonic() - started)
            ids = claim(moment, run.worker, settings.mail_batch_size, settings.mail_lease_seconds)
            if not ids:
                break
            _deliver_batch(run, ids, tally, stop)
    return tally


class _Run:
    """What stays the same for every message of one pass."""

    def __init__(self, *, backend, now, worker, limiter, settings):
        self.backend, self.now, self.worker, self.limiter = backend, now, worker, limiter
        self.settings = settings
        self.outcomes = None  # the autocommit connection outcomes are written on
        self.signer = signer_from(settings)
        self.tracking = tracking_from(settings)

    def envelope_from(self, row: Outbox) -> str:
        return self.tracking.return_path(row.id)

    def message_id(self, row: Outbox) -> str:
        return self.tracking.message_id(row.id, row.key)

    def message(self, row: Outbox) -> bytes:
        settings = self.settings
        message = build_bytes(
            render(row),
            mail_from=settings.mail_from,
            list_id=settings.list_id,
            message_id=self.message_id(row),
            when=self.now,
            unsubscribe_mailto=settings.list_unsubscribe_mailto,
        )
        return self.signer.sign(message) if self.signer else message


def _deliver_batch(run: _Run, ids: list[int], tally: Tally, stop) -> None:
    lease_ends = time.monotonic() + run.settings.mail_lease_seconds * LEASE_MARGIN
    rows = _load(ids, run.worker)
    db.session.commit()  # end the read; the rows stay loaded, and outcomes go on run.outcomes
    for index, (row, subscriber) in enumerate(rows):
        if _stopped(stop) or tally.server_gone or time.monotonic() > lease_ends:
            release([left.id for left, _ in rows[index:]], run.worker)
            return
        _deliver_one(run, row, subscriber, tally)


def _load(ids: list[int], worker: str) -> list[tuple[Outbox, Subscriber | None]]:
    """The batch's rows with their subscribers (and strands) in a few queries, not one per row."""
    query = (
        select(Outbox, Subscriber)
        .outerjoin(Subscriber, Subscriber.id == Outbox.subscriber_id)
        .where(Outbox.id.in_(ids), Outbox.claimed_by == worker, Outbox.status == "queued")
        .order_by(Outbox.id)
        .options(selectinload(Subscriber.subscriptions).options(joinedload(Subscription.strand)))
    )
    return [(row, subscriber) for row, subscriber in db.session.execute(query)]


def _deliver_one(run: _Run, row: Outbox, subscriber: Subscriber | None, tally: Tally) -> None:
    reason = refusal(row.kind, subscriber)
    if reason:
        _record(run, row, status="cancelled", last_error=reason)
        tally.cancelled += 1
        return
    try:
        message = run.message(row)
    except Exception as exc:
        log.exception("outbox %s could not be rendered", row.id)
        db.session.rollback()
        _record(run, row, status="failed", last_error=f"render: {type(exc).__name__}: {exc}")
        tally.failed += 1
        return
    limit = run.settings.mail_max_bytes
    if len(message) > limit:
        error = f"message is {len(message)} bytes, over mail_max_bytes ({limit})"
        _record(run, row, status="failed", last_error=error)
        tally.failed += 1
        return
    run.limiter.take()
    try:
        result = run.backend.send(run.envelope_from(row), row.to_address, message)
    except PermanentFailure as exc:
        _fail_permanently(run, row, exc)
        tally.failed += 1
        return
    except ConnectionLost as exc:
        tally.server_gone = True
        if exc.before_send and run.now < _gives_up_at(run, row):
            # Nothing reached a server: the message was never in flight, so it costs no attempt.
            release([row.id], run.worker)
        else:
            tally += _retry(run, row, str(exc))
        return
    except TemporaryFailure as exc:
        tally += _retry(run, row, str(exc))
        return
    except Exception as exc:
        # Whatever else one message raises (an address no encoding can carry, a bug) fails
        # that message alone, with its reason; the rest of the batch goes on.
        log.exception("outbox %s could not be sent", row.id)
        error = f"send: {type(exc).__name__}: {exc}"
        _record(run, row, status="failed", attempts=row.attempts + 1, last_error=error)
        tally.failed += 1
        return
    _record(
        run,
        row,
        status="sent",
        attempts=row.attempts + 1,
        sent_at=run.now,
        message_id=run.message_id(row),
        smtp_reply=result.reply,
        queue_id=result.queue_id,
        last_error=None,
    )
    tally.sent += 1


def _fail_permanently(run: _Run, row: Outbox, exc: PermanentFailure) -> None:
    """A 5xx: never retried; refused by the recipient's side, it is a hard bounce."""
    _record(
        run,
        row,
        status="failed",
        attempts=row.attempts + 1,
        smtp_reply=str(exc),
        last_error=str(exc),
        commit=False,
    )
    if exc.is_bounce:
        record_bounce(
            row.to_address,
            "hard",
            run.now,
            status_code=str(exc.code),
            diagnostic=str(exc),
            source="smtp",
            outbox_id=row.id,
        )
    db.session.commit()


def _retry(run: _Run, row: Outbox, error: str) -> Tally:
    """A 4xx or a lost connection: try again later with backoff, until the retry period ends."""
    attempts = row.attempts + 1
    hours = run.settings.mail_retry_hours
    gives_up_at = _gives_up_at(run, row)
    if run.now >= gives_up_at:
        error = f"gave up after {attempts} attempts over {hours} hours: {error}"
        _record(run, row, status="failed", attempts=attempts, last_error=error)
        return Tally(failed=1)
    retry_at = min(run.now + backoff(attempts), gives_up_at)
    _record(run, row, attempts=attempts, next_attempt_at=retry_at, last_error=error)
    return Tally(retried=1)


def _gives_up_at(run: _Run, row: Outbox) -> datetime:
    return row.created_at + timedelta(hours=run.settings.mail_retry_hours)


def backoff(attempts: int) -> timedelta:
    """One minute doubling per attempt up to an hour, with jitter so retries do not bunch."""
    seconds = min(60 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=seconds * random.uniform(0.75, 1.25))


def _record(run: _Run, row: Outbox, *, commit: bool = True, **values) -> None:
    """Write a row's outcome and give up its lease: committed at once, or with the session's."""
    params = {f"new_{name}": value for name, value in values.items()}
    connection = run.outcomes if commit else db.session.connection()
    result = connection.execute(
        _outcome_statement(frozenset(values)), {"row_id": row.id, "worker": run.worker, **params}
    )
    if result.rowcount != 1:
        log.warning("outbox %s changed under worker %s; outcome %s", row.id, run.worker, values)


@lru_cache(maxsize=32)
def _outcome_statement(names: frozenset[str]):
    # Built once per set of columns and run as plain Core: this runs once per message, and
    # building and ORM-processing a fresh UPDATE each time cost more than the commit itself.
    table = Outbox.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            table.c.claimed_by == bindparam("worker"),
            table.c.status == "queued",
        )
        .values(
            claimed_by=None,
            lease_until=None,
            **{name: bindparam(f"new_{name}") for name in sorted(names)},
        )
    )


@contextlib.contextmanager
def _outcome_connection():
    """A connection of the pass's own that records each outcome in one cheap round trip.

    Autocommit: the outcome UPDATE commits by itself, with no BEGIN or COMMIT to wait for.
    On PostgreSQL each outcome is durable when it returns, so even the database server
    crashing cannot undo a "sent" and cause a repeat. SQLite in WAL mode with
    synchronous=NORMAL keeps a commit however the worker (and with it the in-process
    database) dies; only the machine losing power may undo its last moments of commits,
    and then at worst those few messages are sent again.
    """
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
        yield connection


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


@contextlib.contextmanager
def _rows_stay_loaded():
    """Keep the batch's loaded rows across the per-message commits, then forget them."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before
        session.expire_all()
