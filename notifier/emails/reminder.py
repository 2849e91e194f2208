"""Comment-deadline emails: a reminder before the deadline, and a note when it moved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from notifier.emails import renderer
from notifier.emails.list_email import list_email, local_time, parse_moment, subscriber_of
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Deadline, Outbox


def _deadline(row: Outbox) -> Deadline:
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.id == row.payload["deadline"])
        .options(joinedload(Deadline.update))
    ).one()


def _when(offset: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(offset, f"in {offset} days")


@renderer("reminder")
def reminder(row: Outbox) -> Email:
    deadline = _deadline(row)
    # The date the reminder was planned for, so a resend says the same as the first try.
    at = local_time(parse_moment(row.payload["at"]))
    when = _when(row.payload["offset"])
    title = deadline.update.title
    return list_email(
        row,
        subscriber_of(row),
        f"Comments on {title} close {when}: {at}",
        "reminder",
        title=title,
        link=deadline.update.link,
        at=at,
        when=when,
    )


@renderer("deadline_moved")
def deadline_moved(row: Outbox) -> Email:
    deadline = _deadline(row)
    at = local_time(parse_moment(row.payload["at"]))
    previous = row.payload.get("previous_at")
    title = deadline.update.title
    return list_email(
        row,
        subscriber_of(row),
        f"Deadline moved: comments on {title} now close {at}",
        "deadline_moved",
        title=title,
        link=deadline.update.link,
        at=at,
        previous=local_time(parse_moment(previous)) if previous else None,
    )
