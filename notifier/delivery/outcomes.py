"""What a send came to for one row: sent, retried later, failed or cancelled, and any bounce.

Each decision uses the moment of its own message, not the start of the pass, so a backoff
runs from when the server answered.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifier.bounces.suppression import record_bounce
from notifier.delivery import store
from notifier.extensions import db
from notifier.mail.backends import PermanentFailure, SendResult
from notifier.models import Outbox
from notifier.observe import metrics

BUMP = True  # the value of "attempts" in an outcome: add one, in the database


@dataclass
class Outcome:
    row_id: int
    tally: str  # which count of the Tally it adds to: sent, retried, failed or cancelled
    values: dict = field(default_factory=dict)
    bounce: dict | None = None  # record_bounce's arguments, for a refusal by the recipient
    kind: str = ""  # the email's kind, for the metrics
    reply: str = "none"  # the SMTP reply's class: 2xx, 4xx, 5xx, connection or none (not sent)

    @property
    def delivered(self) -> bool:
        """The server said 250: the outcome must be written, however long the database is away."""
        return self.tally == "sent"


def sent(row: Outbox, result: SendResult, moment: datetime, message_id: str) -> Outcome:
    values = dict(status="sent", attempts=BUMP, sent_at=moment, message_id=message_id)
    values.update(smtp_reply=result.reply, queue_id=result.queue_id, last_error=None)
    return Outcome(row.id, "sent", values, kind=row.kind, reply="2xx")


def cancelled(row: Outbox, reason: str) -> Outcome:
    return Outcome(
        row.id, "cancelled", {"status": "cancelled", "last_error": reason}, kind=row.kind
    )


def failed(row: Outbox, error: str, attempted: bool = True) -> Outcome:
    values = {"status": "failed", "last_error": error[:2000]}
    values = {**values, "attempts": BUMP} if attempted else values
    return Outcome(row.id, "failed", values, kind=row.kind, reply=reply_class(error))


def refused(row: Outbox, exc: PermanentFailure, moment: datetime) -> Outcome:
    """A 5xx: never retried; refused by the recipient's side, it is also a hard bounce."""
    outcome = failed(row, str(exc))
    outcome.reply = "5xx" if exc.code else "none"  # no code: refused before any server saw it
    outcome.values["smtp_reply"] = str(exc)
    if exc.is_bounce:
        outcome.bounce = dict(
            email=row.to_address,
            kind="hard",
            now=moment,
            status_code=str(exc.code),
            diagnostic=str(exc),
            source="smtp",
            outbox_id=row.id,
        )
    return outcome


def retry(row: Outbox, error: str, moment: datetime, retry_hours: float) -> Outcome:
    """A 4xx or a lost connection: again later with backoff, until the retry period ends."""
    attempts = row.attempts + 1
    ends = gives_up_at(row, retry_hours)
    if moment >= ends:
        return failed(row, f"gave up after {attempts} attempts over {retry_hours} hours: {error}")
    retry_at = min(moment + backoff(attempts), ends)
    values = {"attempts": BUMP, "next_attempt_at": retry_at, "last_error": error}
    return Outcome(row.id, "retried", values, kind=row.kind, reply=reply_class(error))


def reply_class(error: str) -> str:
    """4xx or 5xx for a server's reply ("451 try later"), connection for a lost one."""
    match = re.match(r"(?:gave up after .*?: )?([45])\d\d\b", error)
    if match:
        return f"{match[1]}xx"
    return "connection" if error.startswith(("connection", "cannot connect")) else "none"


def gives_up_at(row: Outbox, retry_hours: float) -> datetime:
    return row.created_at + timedelta(hours=retry_hours)


def backoff(attempts: int) -> timedelta:
    """One minute doubling per attempt up to an hour, with jitter so retries do not bunch."""
    seconds = min(60 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=seconds * random.uniform(0.75, 1.25))


def write(connection, outcome: Outcome, worker: str | None) -> bool:
    """Record an outcome (with its bounce, in one transaction); False if the row was not ours."""
    if outcome.bounce is None:
        ours = store.record(connection, outcome.row_id, worker, outcome.values)
    else:
        try:
            ours = store.record(db.session.connection(), outcome.row_id, worker, outcome.values)
            record_bounce(**outcome.bounce)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    if ours:
        # Counted once written: an outcome kept through a database outage counts when it lands.
        metrics.count_outcome(outcome.kind, outcome.tally, outcome.reply)
    return ours
