"""Feeds, the updates read from them, and the comment deadlines those updates name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow
from notifier.models.people import Strand

update_strands = Table(
    "update_strands",
    db.metadata,
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE"), primary_key=True),
    Column("strand_id", ForeignKey("strands.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Feed(db.Model):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False until the first successful poll has stored the feed's baseline.
    baselined: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The URL as NOTIFIER_FEED_URLS names it; `url` moves on after a permanent redirect.
    configured_url: Mapped[str | None] = mapped_column(String(2000))
    # How long the last fetch (and parse) took, in seconds; null before the first poll.
    last_fetch_seconds: Mapped[float | None] = mapped_column(Float)


class Update(db.Model):
    __tablename__ = "updates"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    # The entry's guid, else its link, else a hash of title and link.
    guid: Mapped[str] = mapped_column(String(2000))
    link: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(1000))
    content_html: Mapped[str] = mapped_column(Text, default="")  # sanitised
    content_text: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    # When we first stored it: digests and immediate sends select on this, not on published_at.
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Stored by a feed's first poll: kept for the record, never sent as new.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who chose the strands by hand; while set, polls keep them instead of matching afresh.
    strands_set_by: Mapped[str | None] = mapped_column(String(320))
    strands_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    strands: Mapped[list[Strand]] = relationship(secondary=update_strands, order_by=Strand.position)
    deadline: Mapped[Deadline | None] = relationship(back_populates="update", uselist=False)


class Deadline(db.Model):
    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("updates.id", ondelete="CASCADE"), unique=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    previous_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sentence: Mapped[str] = mapped_column(Text, default="")
    weekday_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    # Read from a date near weak cue words only ("by 3 June"): shown to admins to check.
    low_confidence: Mapped[bool] = mapped_column(Boolean, default=False)
    # parsed: read from the text; admin: set by an admin, which later polls never overwrite.
    source: Mapped[str] = mapped_column(String(20), default="parsed")
    # An admin can say the text names no deadline after all.
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped each time the deadline moves, so reminders are planned afresh for the new date.
    version: Mapped[int] = mapped_column(Integer, default=1)
    corrected_by: Mapped[str | None] = mapped_column(String(320))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    update: Mapped[Update] = relationship(back_populates="deadline")
