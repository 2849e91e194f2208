"""Confirm, queue and cancel announcements; each step a conditional update, so it runs once.

Two admins pressing send on the same draft, a double click, or the clock and a web request
queueing the same announcement: the UPDATE … WHERE state = … lets exactly one of them move
the row on, and the outbox keys (announcement_prefix + subscriber) stop any second email.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import literal, or_, select, update

from notifier.announcements import audience
from notifier.announcements.drafts import AnnouncementError, audit, save_draft
from notifier.delivery.outbox import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Admin, Announcement, Outbox
from notifier.models.email_kinds import AnnouncementPayload, announcement_prefix
from notifier.schedules.fanout import (
    OUTBOX_COLUMNS,
    SUBSCRIBERS,
    email_columns,
    in_batches,
    payload,
)

# A fan-out that started this long ago and has not finished was cut short: finish it.
STALE_FAN_OUT = timedelta(minutes=10)


class NotSent(Exception):
    """The step did not happen; the message says why (already sent, changed, cancelled)."""


def confirm(
    item: Announcement,
    revision: int,
    send_at: datetime | None,
    admin: Admin | None,
    now: datetime,
    recipients: int | None = None,
) -> Announcement:
    """Mark a draft to be sent at send_at (None: now); the caller commits, then send_if_due.

    :raise NotSent: it was confirmed already, cancelled, or edited since `revision`.
    """
    if send_at is not None and send_at.tzinfo is None:
        raise AnnouncementError({"send_at": "send_at must be a date and time with a time zone."})
    moment = send_at or now
    won = db.session.execute(
        update(Announcement)
        .where(
            Announcement.id == item.id,
            Announcement.state == "draft",
            Announcement.revision == revision,
        )
        .values(
            state="scheduled",
            send_at=moment,
            confirmed_at=now,
            confirmed_by=admin.email if admin else "system",
            recipients_confirmed=recipients,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.refresh(item)
        raise NotSent(_why_not(item, revision))
    audit(item, admin, "announcement.confirm", now, {"send_at": moment.isoformat()})
    db.session.flush()
    db.session.refresh(item)
    return item


def send_if_due(item: Announcement, now: datetime) -> Announcement:
    """Queue a confirmed announcement whose time has come, once its confirmation is committed.

    The fan-out is a batched job (ADR 0016): it commits each batch, so it must start from a
    committed confirmation, never inside the caller's transaction.
    """
    if item.state == "scheduled" and item.send_at <= now:
        return queue(item, now)
    return item


def _why_not(item: Announcement, revision: int) -> str:
    if item.state == "cancelled":
        return "This announcement was cancelled."
    if item.state != "draft":
        return f"This announcement was already confirmed by {item.confirmed_by}."
    return (
        f"The draft was changed after you checked it (now version {item.revision}, "
        f"you checked version {revision}): check the preview again."
    )


def create_announcement(
    subject, body_markdown, strands, send_at: datetime | None, admin: Admin | None, now: datetime
) -> Announcement:
    """Write and confirm in one step (the API's POST); the caller commits, then send_if_due."""
    draft = save_draft(subject, body_markdown, strands, admin, now)
    return confirm(draft, draft.revision, send_at, admin, now, audience.count(draft.strands))


def queue(item: Announcement, now: datetime, resume: bool = False) -> Announcement:
    """Queue one email per recipient, in batches; only the caller that claims it does so.

    A job that owns its transactions (ADR 0016): the claim, each batch, the end.
    """
    # A start claims a scheduled row; a resume claims a stale fan-out and restarts its clock,
    # so two runs never fan out the same announcement side by side.
    claimable = (
        (Announcement.state == "sending") & (Announcement.started_at < now - STALE_FAN_OUT)
        if resume
        else Announcement.state == "scheduled"
    )
    claimed = db.session.execute(
        update(Announcement)
        .where(Announcement.id == item.id, claimable)
        .values(state="sending", started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    db.session.refresh(item)
    if claimed != 1:
        return item
    where = audience.conditions(item.strands)
    email = payload(AnnouncementPayload, announcement=item.id)
    columns = [
        *email_columns(announcement_prefix(item.id), "announcement", email, now),
        literal(item.id),
    ]
    insert = insert_ignoring_duplicates(Outbox.__table__)

    def batch(lo: int, hi: int) -> int:
        selection = select(*columns).where(*where, SUBSCRIBERS.c.id.between(lo, hi))
        stmt = insert.from_select((*OUTBOX_COLUMNS, "announcement_id"), selection)
        return db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount

    in_batches(where, batch, item)
    # Marked only after every batch committed: a killed fan-out is finished by a later run.
    item.state, item.queued_at = "queued", now
    db.session.commit()
    return item


def send_due(now: datetime) -> list[Announcement]:
    """Queue every confirmed announcement whose time has come, and finish cut-short ones."""
    due = db.session.scalars(
        select(Announcement)
        .where(
            or_(
                (Announcement.state == "scheduled") & (Announcement.send_at <= now),
                (Announcement.state == "sending") & (Announcement.started_at < now - STALE_FAN_OUT),
            )
        )
        .order_by(Announcement.send_at, Announcement.id)
    ).all()
    return [queue(item, now, resume=item.state == "sending") for item in due]


def cancel(item: Announcement, admin: Admin | None, now: datetime) -> Announcement:
    """Cancel a draft or a scheduled announcement; the caller commits.

    :raise NotSent: its sending has started.
    """
    won = db.session.execute(
        update(Announcement)
        .where(Announcement.id == item.id, Announcement.state.in_(("draft", "scheduled")))
        .values(
            state="cancelled",
            cancelled_at=now,
            cancelled_by=admin.email if admin else "system",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.refresh(item)
        raise NotSent(f"It cannot be cancelled: it is {item.state}.")
    audit(item, admin, "announcement.cancel", now, {})
    db.session.flush()
    db.session.refresh(item)
    return item
