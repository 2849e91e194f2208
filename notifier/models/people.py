"""Strands, subscribers, their subscriptions and the consent they gave."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow

STATUSES = ("pending", "confirmed", "unsubscribed", "suppressed")
# Fastest first: an update reaches a subscriber at the first of these among its strands.
FREQUENCIES = ("immediate", "daily", "weekly")


def first_token_version() -> int:
    return secrets.randbelow(2**30) + 1


class Strand(db.Model):
    __tablename__ = "strands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Extra words that put an update in this strand besides its name and slug.
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    __table_args__ = (CheckConstraint(f"status IN {STATUSES}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised: trimmed, lower-cased; unique so one person is one row.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # Bumped on unsubscribe so every link signed before stops working. It starts at random:
    # SQLite may give an erased subscriber's id to someone new, whose links must not be theirs.
    token_version: Mapped[int] = mapped_column(Integer, default=first_token_version)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_ip: Mapped[str | None] = mapped_column(String(64))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suppressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suppressed_reason: Mapped[str | None] = mapped_column(String(200))
    bounce_score: Mapped[int] = mapped_column(Integer, default=0)
    # When the last confirmation / "already subscribed" note was queued: the resend windows.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )

    @property
    def strands(self) -> list[Strand]:
        return [sub.strand for sub in self.subscriptions]

    @property
    def preferences(self) -> list[Subscription]:
        """The strands followed, each with its frequency and reminders, in the listed order."""
        return sorted(self.subscriptions, key=lambda sub: (sub.strand.position, sub.strand.id))


class Subscription(db.Model):
    """One strand a subscriber follows, with how often they hear of it and its reminders."""

    __tablename__ = "subscriptions"
    __table_args__ = (CheckConstraint(f"frequency IN {FREQUENCIES}", name="frequency"),)

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    strand_id: Mapped[int] = mapped_column(
        ForeignKey("strands.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    frequency: Mapped[str] = mapped_column(String(20), default="daily")
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The digest cursor: this strand's updates stored until then have been sent (or were owed
    # to a faster strand). A run of one frequency moves it on every subscription of that
    # frequency, so it is one cursor per subscriber and frequency, except that a strand
    # switched from another frequency brings its own along. Null: from confirmation.
    digested_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")
    strand: Mapped[Strand] = relationship()


class ConsentRecord(db.Model):
    """What someone agreed to, when, and from where: kept as evidence of consent."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    # subscribe, confirm, import, change, unsubscribe
    action: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    # web form, api, import: where the consent came from
    source: Mapped[str] = mapped_column(String(200), default="web")
    form_version: Mapped[str | None] = mapped_column(String(40))
    wording: Mapped[str | None] = mapped_column(Text)
    strands: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What was agreed for each strand: [{"strand": slug, "frequency": ..., "reminders": ...}].
    preferences: Mapped[list[dict]] = mapped_column(JSON, default=list)
