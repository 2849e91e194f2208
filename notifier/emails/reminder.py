"""Comment-deadline emails: a reminder before the deadline, and a note when it moved."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from notifier.emails.list_email import list_email, local_time, subscriber_of
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Deadline, Outbox
from notifier.models.email_kinds import MovedPayload, ReminderPayload, payload_of
from notifier.moments import parse_moment


def _deadline_email(
    row: Outbox, payload: ReminderPayload | MovedPayload, subject: str, template: str, **context
) -> Email:
    """Render a deadline email; {title} and {at} in the subject are filled in.

    The date is the one the email was queued with, so a retry says what the first try said.
    """
    deadline = db.session.scalars(
        select(Deadline)
        .where(Deadline.id == payload["deadline"])
        .options(joinedload(Deadline.update))
    ).one()
    title = deadline.update.title
    at = local_time(parse_moment(payload["at"], UTC))
    return list_email(
        row,
        subscriber_of(row),
        subject.format(title=title, at=at),
        template,
        title=title,
        link=deadline.update.link,
        at=at,
        **context,
    )


def _when(offset: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(offset, f"in {offset} days")


def reminder(row: Outbox) -> Email:
    payload = payload_of(row, ReminderPayload)
    when = _when(payload["offset"])
    subject = "Comments on {title} close " + when + ": {at}"
    return _deadline_email(row, payload, subject, "reminder", when=when)


def deadline_moved(row: Outbox) -> Email:
    payload = payload_of(row, MovedPayload)
    previous = payload["previous_at"]
    return _deadline_email(
        row,
        payload,
        "Deadline moved: comments on {title} now close {at}",
        "deadline_moved",
        previous=local_time(parse_moment(previous, UTC)) if previous else None,
    )
