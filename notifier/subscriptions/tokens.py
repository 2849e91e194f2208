"""Signed links for subscribers: each carries a purpose, an expiry and the token version."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from notifier.extensions import db
from notifier.models import Subscriber

# Seconds a link of each purpose stays valid. Manage and unsubscribe links sit in old
# emails, and List-Unsubscribe must keep working, so only confirmation links expire soon.
MAX_AGE = {
    "confirm": 7 * 24 * 3600,
    "manage": 400 * 24 * 3600,
    "unsubscribe": 400 * 24 * 3600,
}


class TokenError(Exception):
    """The link is tampered, expired, for another purpose, or replayed after an unsubscribe."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "replayed"


@dataclass(frozen=True)
class TokenData:
    subscriber_id: int
    version: int


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a confirm token does not verify as an unsubscribe token.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"notifier.{purpose}")


def make_token(purpose: str, subscriber_id: int, version: int) -> str:
    """Sign a link token for one subscriber at its current token version."""
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _serializer(purpose).dumps([subscriber_id, version])


def read_token(purpose: str, token: str) -> TokenData:
    """Verify a token's signature, purpose and age; raise TokenError naming what failed."""
    try:
        subscriber_id, version = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise TokenError("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise TokenError("invalid") from None
    if not isinstance(subscriber_id, int) or not isinstance(version, int):
        raise TokenError("invalid")
    return TokenData(subscriber_id, version)


def subscriber_for(purpose: str, token: str) -> Subscriber:
    """Return the subscriber a valid, current token names; raise TokenError otherwise."""
    data = read_token(purpose, token)
    subscriber = db.session.get(Subscriber, data.subscriber_id)
    if subscriber is None:
        raise TokenError("invalid")
    if subscriber.token_version != data.version:
        raise TokenError("replayed")
    return subscriber


def link(purpose: str, subscriber: Subscriber) -> str:
    """Absolute URL of the page for a purpose, built on NOTIFIER_BASE_URL."""
    token = make_token(purpose, subscriber.id, subscriber.token_version)
    return f"{current_app.config['NOTIFIER'].base_url}/{purpose}/{token}"
