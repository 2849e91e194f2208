"""An admin's correction of an update's deadline: it always wins over what polls read."""

from __future__ import annotations

from datetime import datetime

from notifier.extensions import db
from notifier.models import AuditEntry, Deadline, Update
from notifier.moments import END_OF_DAY, parse_moment


class UnknownUpdate(LookupError):
    """No update has that id."""


def parse_deadline_input(value: str, tz) -> datetime:
    """An ISO 8601 date or moment; a bare date is the end of that day, no offset is local time.

    :raise BadMoment: (a ValueError) naming what is wrong with the text.
    """
    return parse_moment(value, tz, bare_date=END_OF_DAY)


def correct_deadline(update_id: int, at: datetime | None, actor: str, now: datetime) -> Deadline:
    """Set (or with None, cancel) the update's deadline as an admin, audited; the caller commits."""
    update = db.session.get(Update, update_id)
    if update is None:
        raise UnknownUpdate(f"no update with id {update_id}")
    deadline = update.deadline
    before = _state(deadline)
    if deadline is None:
        # "Not a deadline" still needs a row, so later polls know an admin has spoken;
        # its time is meaningless while it is cancelled.
        deadline = Deadline(update=update, at=at or now, sentence="", created_at=now, version=1)
        db.session.add(deadline)
    elif at is not None and at != deadline.at:
        deadline.previous_at = deadline.at
        deadline.at = at
        deadline.version += 1
    deadline.cancelled = at is None
    deadline.source = "admin"
    deadline.weekday_mismatch = False  # an admin has looked at it
    deadline.low_confidence = False
    deadline.corrected_by = actor
    deadline.corrected_at = now
    deadline.updated_at = now
    db.session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="deadline.correct",
            target=f"update:{update.id}",
            detail={"guid": update.guid, "before": before, "after": _state(deadline)},
        )
    )
    db.session.flush()
    return deadline


def _state(deadline: Deadline | None) -> dict | None:
    if deadline is None:
        return None
    return {
        "at": None if deadline.cancelled else deadline.at.isoformat(),
        "source": deadline.source,
        "version": deadline.version,
    }
