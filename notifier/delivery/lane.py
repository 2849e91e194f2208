"""One SMTP connection's share of a pass: claim a batch, keep its lease, send it message by message.

Each lane has its own claimed batch, its own connection to the relay and its own autocommit
outcome connection, so a worker with several lanes loses at most one unrecorded message per
lane when it is killed.
"""

from __future__ import annotations

import logging
import time

from notifier.delivery import outcomes, store
from notifier.delivery.backlog import Release
from notifier.delivery.rules import refusal
from notifier.extensions import db
from notifier.logs.context import bind_outbox
from notifier.mail.backends import ConnectionLost, PermanentFailure, TemporaryFailure

log = logging.getLogger(__name__)


class Lane:
    def __init__(self, run, number: int, backend):
        self.run, self.backend = run, backend
        self.name = f"{run.worker}#{number}"
        self.tally = run.new_tally()
        self.outcomes = None
        self.lease_ends = 0.0
        self.held: list[int] = []

    def drain(self) -> None:
        """Claim and send batches until none is due, the relay is gone, or the pass stops."""
        try:
            self._drain()
        except Exception as exc:
            if self.held and self.run.database_gone(exc):
                # Handed back as soon as the database returns, not when the lease runs out.
                self.run.backlog.append(Release(tuple(self.held), self.name))
            raise

    def _drain(self) -> None:
        run = self.run
        with store.outcome_connection() as self.outcomes:
            while not run.stop.is_set() and not self.tally.server_gone:
                ids = store.claim(run.moment(), self.name, run.batch_size, run.lease_seconds)
                if not ids:
                    return
                self.lease_ends = time.monotonic() + run.lease_seconds
                self.held = list(ids)
                for row, subscriber in store.load(ids, self.name):
                    if run.stop.is_set() or self.tally.server_gone:
                        break
                    if row.id in self.held:  # not if a lease extension found it taken
                        with bind_outbox(row.id):
                            self.deliver(row, subscriber)
                        self.held.remove(row.id)
                store.release(self.held, self.name, self.outcomes)

    def deliver(self, row, subscriber) -> None:
        """Send one row and record what happened; nothing it raises can stop the next row."""
        run = self.run
        reason = refusal(row.kind, subscriber)
        if reason:
            return self.record(outcomes.cancelled(row, reason))
        moment = run.moment()
        try:
            message = run.composer.message(row, moment)
        except Exception as exc:
            if run.database_gone(exc):
                raise  # the database went away mid-render: no fault of this message
            log.exception("outbox %s could not be rendered", row.id)
            db.session.rollback()  # a failed query must not leave the lane's session aborted
            return self.record(outcomes.failed(row, f"render: {type(exc).__name__}: {exc}", False))
        run.limiter.take()
        if not self.still_holds(row.id):
            # The lease ran out (a long rate-limit wait, a slow relay): the row is anyone's now.
            log.warning("lease on outbox %s ran out before it was sent; left for a claim", row.id)
            return None
        moment = run.moment()
        try:
            result = self.backend.send(run.composer.return_path(row), row.to_address, message)
        except PermanentFailure as exc:
            return self.record(outcomes.refused(row, exc, moment))
        except ConnectionLost as exc:
            self.tally.server_gone = True
            if exc.before_send and moment < outcomes.gives_up_at(row, run.retry_hours):
                # Nothing reached a server: never in flight, so it costs no attempt.
                return store.release([row.id], self.name, self.outcomes)
            return self.record(outcomes.retry(row, str(exc), moment, run.retry_hours))
        except TemporaryFailure as exc:
            return self.record(outcomes.retry(row, str(exc), moment, run.retry_hours))
        except Exception as exc:
            # Whatever else one message raises (an address nothing can carry, a bug) fails
            # that message alone, with its reason.
            log.exception("outbox %s could not be sent", row.id)
            return self.record(outcomes.failed(row, f"send: {type(exc).__name__}: {exc}"))
        return self.record(outcomes.sent(row, result, run.moment(), run.composer.message_id(row)))

    def still_holds(self, row_id: int) -> bool:
        """Check the lease before a send; past half of it, extend the batch's in one statement."""
        run = self.run
        if time.monotonic() < self.lease_ends - run.lease_seconds / 2:
            return True
        started = time.monotonic()
        kept = store.extend(self.outcomes, self.held, self.name, run.moment(), run.lease_seconds)
        self.lease_ends = started + run.lease_seconds
        self.held = [i for i in self.held if i in kept or i == row_id]
        return row_id in kept

    def record(self, outcome: outcomes.Outcome) -> None:
        """Write an outcome; if the database is away, keep it in the backlog and stop."""
        setattr(self.tally, outcome.tally, getattr(self.tally, outcome.tally) + 1)
        try:
            ours = outcomes.write(self.outcomes, outcome, self.name)
        except Exception as exc:
            if not self.run.database_gone(exc):
                raise
            self.run.backlog.append(outcome)
            raise
        if not ours:
            log.warning(
                "outbox %s changed under %s; outcome %s", outcome.row_id, self.name, outcome.tally
            )
