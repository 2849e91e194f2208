"""A subscriber's private calendar URL: long, random, revocable, and 404 when wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import CalendarToken, Subscriber, Subscription


def _token(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"notifier.calendar:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current(subscriber: Subscriber) -> CalendarToken | None:
    return db.session.scalar(
        select(CalendarToken)
        .where(CalendarToken.subscriber_id == subscriber.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id.desc())
        .limit(1)
    )


def url_of(row: CalendarToken) -> str:
    return f"{current_app.config['NOTIFIER'].base_url}/calendar/{_token(row.nonce)}.ics"


def current_url(subscriber: Subscriber) -> str | None:
    row = current(subscriber)
    return url_of(row) if row else None


def revoke(subscriber: Subscriber, now: datetime) -> bool:
    """Stop every calendar link of this subscriber; True if there was one."""
    rows = db.session.scalars(
        select(CalendarToken).where(
            CalendarToken.subscriber_id == subscriber.id, CalendarToken.revoked_at.is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    return bool(rows)


def issue(subscriber: Subscriber, now: datetime) -> str:
    """A new calendar link; any earlier one stops working."""
    revoke(subscriber, now)
    nonce = secrets.token_hex(32)
    row = CalendarToken(
        subscriber_id=subscriber.id, nonce=nonce, token_hash=_hash(_token(nonce)), created_at=now
    )
    db.session.add(row)
    db.session.flush()
    return url_of(row)


def strands_for(token: str) -> tuple[int, ...] | None:
    """The strand ids of the confirmed subscriber a live calendar token belongs to, or None.

    One query: a calendar program asks for this URL every few hours, for ever.
    """
    if not 20 <= len(token) <= 100:
        return None
    rows = db.session.execute(
        select(Subscriber.id, Subscription.strand_id)
        .join(CalendarToken, CalendarToken.subscriber_id == Subscriber.id)
        .outerjoin(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            CalendarToken.token_hash == _hash(token),
            CalendarToken.revoked_at.is_(None),
            Subscriber.status == "confirmed",
        )
    ).all()
    if not rows:
        return None
    return tuple(sorted({row.strand_id for row in rows if row.strand_id is not None}))
