"""What is kept of an address after its owner asked to be erased: a keyed hash, nothing else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow


class Erasure(db.Model):
    """An erased address, as HMAC-SHA256 of the normalised address under the secret key.

    Only a lookup by the same address under the same key finds it: an import or an admin cannot
    add the address back by accident, and the table reveals no address to anyone without it.
    """

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # subscriber (their own erase), admin, or retention (unsubscribed long ago)
    reason: Mapped[str] = mapped_column(String(40))
