"""Admins, their API tokens, and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.extensions import db
from notifier.models.base import UTCDateTime, utcnow

# owner: everything, and manages admins; editor: updates, deadlines, strands, announcements.
ROLES = ("owner", "editor")


class Admin(db.Model):
    __tablename__ = "admins"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Carried in the session cookie; raised by a logout or a new password, so every cookie
    # issued before no longer opens the admin pages (a signed cookie cannot be recalled).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    role: Mapped[str] = mapped_column(String(20), default="owner")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="admin")


class ApiToken(db.Model):
    """An API token; only its SHA-256 is kept, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    admin: Mapped[Admin] = relationship(back_populates="tokens")


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # An admin's email, "cli", or "system".
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
