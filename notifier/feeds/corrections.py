"""An admin's correction of an update's deadline: it always wins over what polls read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.feeds.strands import matching_strands
from notifier.models import AuditEntry, Deadline, Strand, Update
from notifier.moments import END_OF_DAY, parse_moment


class UnknownUpdate(LookupError):
    """No update has that id."""


class UnknownStrand(ValueError):
    """A slug that names no active strand."""


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


def set_strands(update_id: int, slugs: Iterable[str] | None, actor: str, now: datetime) -> Update:
    """Put the update in these strands as an admin (none: a general update), audited.

    With slugs None the choice goes back to the polls: the strands are matched afresh now and
    on every later change. The caller commits.

    :raise UnknownUpdate: no update has that id.
    :raise UnknownStrand: a slug names no active strand; nothing changes.
    """
    update = db.session.get(Update, update_id)
    if update is None:
        raise UnknownUpdate(f"no update with id {update_id}")
    active = list(db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position)))
    if slugs is None:
        chosen = matching_strands(update.title, update.categories, active)
    else:
        wanted = set(slugs)
        if unknown := sorted(wanted - {strand.slug for strand in active}):
            raise UnknownStrand(f"{', '.join(unknown)} is not a strand")
        chosen = [strand for strand in active if strand.slug in wanted]
        # Archived strands are not offered, so choosing cannot have meant to drop them.
        chosen += [strand for strand in update.strands if not strand.active]
    before = {"strands": [s.slug for s in update.strands], "set_by": update.strands_set_by}
    update.strands = chosen
    update.strands_set_by = None if slugs is None else actor
    update.strands_set_at = None if slugs is None else now
    db.session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="update.strands",
            target=f"update:{update.id}",
            detail={
                "guid": update.guid,
                "before": before,
                "after": {"strands": [s.slug for s in chosen], "set_by": update.strands_set_by},
            },
        )
    )
    db.session.flush()
    return update
