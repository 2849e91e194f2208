"""Admins and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from notifier.extensions import db
from notifier.models import Admin, ApiToken, AuditEntry
from notifier.models.admin import ROLES

MIN_PASSWORD = 12


class AdminError(Exception):
    """The request cannot be done; the message says why."""


def _as_stored(email: str) -> str:
    """An admin's address as stored: trimmed and lower-cased.

    A subscriber's goes through subscriptions.email_address.normalise_email, which validates too.
    """
    return email.strip().lower()


def create_admin(email: str, password: str, actor: str = "cli", role: str = "owner") -> Admin:
    """Create an admin; refuse a malformed address, a short password, a duplicate, a bad role."""
    email = _as_stored(email)
    if role not in ROLES:
        raise AdminError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AdminError(f"{email!r} is not a valid email address: {exc}") from None
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"the password must be at least {MIN_PASSWORD} characters")
    if find_admin(email):
        raise AdminError(f"an admin {email} already exists")
    admin = Admin(email=email, password_hash=generate_password_hash(password), role=role)
    db.session.add(admin)
    db.session.add(
        AuditEntry(actor=actor, action="admin.create", target=email, detail={"role": role})
    )
    db.session.flush()
    return admin


def set_password(email: str, password: str, actor: str = "cli") -> Admin:
    """Give an admin a new password, and end every session they have (the caller commits)."""
    admin = find_admin(email)
    if admin is None:
        raise AdminError(f"no admin {_as_stored(email)}")
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"the password must be at least {MIN_PASSWORD} characters")
    admin.password_hash = generate_password_hash(password)
    # A new password is often because the old one leaked: whoever used it is logged out too.
    admin.session_version += 1
    db.session.add(AuditEntry(actor=actor, action="admin.password", target=admin.email))
    db.session.flush()
    return admin


def find_admin(email: str) -> Admin | None:
    return db.session.scalar(select(Admin).where(Admin.email == _as_stored(email)))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(email: str, name: str = "", actor: str = "cli") -> str:
    """Create an API token for an admin and return it; only its hash is stored."""
    admin = find_admin(email)
    if admin is None:
        raise AdminError(f"no admin {_as_stored(email)}")
    token = "ntf_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(admin=admin, token_hash=hash_token(token), name=name))
    db.session.add(
        AuditEntry(actor=actor, action="token.create", target=admin.email, detail={"name": name})
    )
    db.session.flush()
    return token


def live_token(token: str) -> ApiToken | None:
    """The stored row for a bearer token, or None for an unknown or revoked token."""
    return db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
