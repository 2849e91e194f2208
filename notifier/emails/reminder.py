"""Comment-deadline emails: a reminder before the deadline, and a note when it moved."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from notifier.emails.list_email import list_email, local_time, short_title, subscriber_of
from notifier.emails.templates import once
from notifier.extensions import db
from notifier.mail.message import Attachment, Email
from notifier.models import Deadline, Outbox, Update
from notifier.models.email_kinds import MovedPayload, ReminderPayload, payload_of
from notifier.moments import parse_moment
from notifier.publish import calendar, words
from notifier.settings import current_settings
from notifier.subscriptions.mute import mute_url


def _deadline(deadline_id: int) -> Deadline:
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.id == deadline_id)
        .options(joinedload(Deadline.update).selectinload(Update.strands))
    ).one()


def _deadline_email(
    row: Outbox, payload: ReminderPayload | MovedPayload, subject: str, template: str, **context
) -> Email:
    """Render a deadline email; {title}, {short} and {at} in the subject are filled in.

    The date is the one the email was queued with, so a retry says what the first try said.
    """
    deadline = once(("deadline", payload["deadline"]), lambda: _deadline(payload["deadline"]))
    subscriber = subscriber_of(row)
    title = deadline.update.title
    at = local_time(parse_moment(payload["at"], UTC))
    return list_email(
        row,
        subscriber,
        subject.format(title=title, short=short_title(title), at=at),
        template,
        personal={"mute_url": mute_url(subscriber, deadline.update_id)},
        attachments=context.pop("attachments", ()),
        title=title,
        link=deadline.update.link,
        at=at,
        **context,
    )


def _when(offset: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(offset, f"in {offset} days")


def _invite(payload: ReminderPayload | MovedPayload) -> tuple[Attachment, ...]:
    """The deadline as an .ics file, the same for everyone it goes to."""

    def make():
        settings = current_settings()
        site = calendar.Site(settings.site_name, settings.base_url, settings.tz)
        body = calendar.deadline_invite(site, _deadline(payload["deadline"]))
        return (Attachment("deadline.ics", "text/calendar; method=PUBLISH; charset=utf-8", body),)

    return once(("invite", payload["deadline"], payload.get("version")), make)


def reminder(row: Outbox) -> Email:
    payload = payload_of(row, ReminderPayload)
    when = _when(payload["offset"])
    subject = "Comments on {title} close " + when + ": {at}"
    return _deadline_email(
        row,
        payload,
        subject,
        "reminder",
        when=when,
        closes="closes " + when,
        attachments=_invite(payload),
        preheader=f"Comments close {when}. Already responded? One click stops these reminders.",
    )


def deadline_moved(row: Outbox) -> Email:
    payload = payload_of(row, MovedPayload)
    tz = current_settings().tz
    previous = payload["previous_at"]
    at = parse_moment(payload["at"], UTC)
    change = words.moved(parse_moment(previous, UTC), at, tz) if previous else None
    return _deadline_email(
        row,
        payload,
        "Deadline moved: comments on {title} now close {at}",
        "deadline_moved",
        previous=local_time(parse_moment(previous, UTC)) if previous else None,
        change=change,
        attachments=_invite(payload),
        preheader=f"The deadline {change}." if change else "The comment deadline has moved.",
    )
