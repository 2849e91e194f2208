"""Working-group meetings, private calendar links, and updates a subscriber has muted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow
from notifier.models.content import Update
from notifier.models.people import Strand

# proposed: spotted in an update, waiting for an admin; confirmed: public; cancelled: was public.
MEETING_STATUSES = ("proposed", "confirmed", "cancelled", "rejected")


class Meeting(db.Model):
    """A working-group meeting: in the calendars and digests once an admin has confirmed it."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"status IN {MEETING_STATUSES}", name="status"),
        # One proposal per row of an update's table, so a re-read proposes nothing twice.
        UniqueConstraint("update_id", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a meeting of the whole process, shown in every strand's calendar.
    strand_id: Mapped[int | None] = mapped_column(
        ForeignKey("strands.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A street address, or "Online".
    place: Mapped[str] = mapped_column(String(500), default="")
    registration_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    # The update it was spotted in, and which row of it, for proposals.
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("updates.id", ondelete="SET NULL"), index=True
    )
    source_key: Mapped[str | None] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text, default="")
    # Bumped on every change an attendee would notice, as iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    strand: Mapped[Strand | None] = relationship()
    update: Mapped[Update | None] = relationship()


class CalendarToken(db.Model):
    """A subscriber's private calendar URL.

    The URL's token is an HMAC of the nonce under the secret key, so the table alone gives
    no working link; token_hash finds the row. Revoking sets revoked_at; a new link is a new row.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Mute(db.Model):
    """A subscriber said "I've responded": no more reminders for this update."""

    __tablename__ = "mutes"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    update_id: Mapped[int] = mapped_column(
        ForeignKey("updates.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
