"""Every email as a row before it is sent, and the runs and announcements that create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow

OUTBOX_STATUSES = ("queued", "sent", "failed", "cancelled")


class Outbox(db.Model):
    """One email. Its key makes a second insert of the same email impossible."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES}", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index(
            "ix_outbox_announcement_id",
            "announcement_id",
            "status",
            sqlite_where=text("announcement_id IS NOT NULL"),
            postgresql_where=text("announcement_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The idempotency key, e.g. "digest:daily:2026-11-25:42": unique; its forms, and the
    # payload of each kind, are in models/email_kinds.py.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # confirm, already_subscribed, immediate, digest, reminder, deadline_moved, announcement
    kind: Mapped[str] = mapped_column(String(40))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(320))
    # What the renderer needs besides the subscriber: update ids, a run, an announcement.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim: who holds it and until when; an expired lease is taken back.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    queue_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set on an announcement's emails, so its progress is counted from an index, not the keys.
    announcement_id: Mapped[int | None] = mapped_column(Integer)


class JobRun(db.Model):
    """The last run of each clock job (poll, digests, retention, ...), for the dashboard."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float)
    # ok or failed; a failure's first line is kept so the dashboard can say what went wrong.
    result: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduledRun(db.Model):
    """One run of a schedule (an update's immediate emails, a digest period, a day's reminders,
    a deadline's move): found or created, so a rerun does nothing twice.
    """

    # The table keeps the name it had when digests were the only runs: renaming it would
    # buy nothing but a migration every deployment must take.
    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("kind", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # immediate, daily, weekly, reminders, deadline_moved
    kind: Mapped[str] = mapped_column(String(20))
    period_key: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emails_queued: Mapped[int] = mapped_column(Integer, default=0)


ANNOUNCEMENT_STATES = ("draft", "scheduled", "sending", "queued", "cancelled")


class Announcement(db.Model):
    """An announcement from draft to sent: the state moves on only by a conditional update.

    draft -> scheduled (an admin confirmed the send) -> sending (its fan-out began) -> queued
    (every email is in the outbox); draft or scheduled -> cancelled.
    """

    __tablename__ = "announcements"
    __table_args__ = (CheckConstraint(f"state IN {ANNOUNCEMENT_STATES}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_markdown: Mapped[str] = mapped_column(Text)
    # Strand slugs; empty means everyone.
    strands: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emails_queued: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Bumped by every edit of a draft: a confirmation names the revision the admin checked.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(320))
    # The number of recipients the confirming admin was shown.
    recipients_confirmed: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(320))


class Bounce(db.Model):
    """A delivery report or complaint received for an address."""

    __tablename__ = "bounces"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL")
    )
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    # hard, soft, complaint
    kind: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[str | None] = mapped_column(String(20))
    diagnostic: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="dsn")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Lock(db.Model):
    """A named lease: the scheduler holds one so a second scheduler stays idle."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryWorker(db.Model):
    """A worker sending under the rate limit; the live ones' heartbeats split the rate."""

    __tablename__ = "delivery_workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
