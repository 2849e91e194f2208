"""'I've responded': a signed link that stops reminders for one update, and nothing else."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from notifier.extensions import db
from notifier.models import Mute, Subscriber, Update
from notifier.subscriptions.tokens import TokenError

# As long as the manage links in the same emails.
MAX_AGE = 400 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="notifier.mute")


def mute_url(subscriber: Subscriber, update_id: int) -> str:
    """Absolute URL of the page that mutes this update's reminders for this subscriber."""
    token = _serializer().dumps([subscriber.id, subscriber.token_version, update_id])
    return f"{current_app.config['NOTIFIER'].base_url}/mute/{token}"


def read(token: str) -> tuple[Subscriber, Update]:
    """The subscriber and update a mute link names; raise TokenError naming what failed."""
    try:
        subscriber_id, version, update_id = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise TokenError("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise TokenError("invalid") from None
    if not all(isinstance(v, int) for v in (subscriber_id, version, update_id)):
        raise TokenError("invalid")
    subscriber = db.session.get(Subscriber, subscriber_id)
    update = db.session.get(Update, update_id)
    if subscriber is None or update is None:
        raise TokenError("invalid")
    if subscriber.token_version != version or subscriber.status != "confirmed":
        raise TokenError("replayed")
    return subscriber, update


def mute(subscriber: Subscriber, update: Update, now: datetime) -> bool:
    """Stop reminders of this update for this subscriber; False if already muted."""
    if db.session.get(Mute, (subscriber.id, update.id)) is not None:
        return False
    db.session.add(Mute(subscriber_id=subscriber.id, update_id=update.id, created_at=now))
    db.session.flush()
    return True


def is_muted(subscriber: Subscriber, update: Update) -> bool:
    return db.session.get(Mute, (subscriber.id, update.id)) is not None
