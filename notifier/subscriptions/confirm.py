"""Confirm a subscription: the second step of double opt-in."""

from __future__ import annotations

from datetime import datetime

from notifier.models import Subscriber
from notifier.subscriptions import consent
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.erase import forget_erasure


class CannotConfirm(Exception):
    """The address can no longer be confirmed (it bounced or complained)."""


def confirm(subscriber: Subscriber, origin: Origin, now: datetime) -> bool:
    """Confirm a pending subscriber; return False when it was already confirmed (harmless)."""
    if subscriber.status == "confirmed":
        return False
    if subscriber.status != "pending":
        raise CannotConfirm(subscriber.status)
    subscriber.status = "confirmed"
    subscriber.confirmed_at = now
    subscriber.confirmed_ip = origin.ip
    consent.record(subscriber, "confirm", origin, now)
    # They came back and confirmed afresh: the erasure no longer speaks for them.
    forget_erasure(subscriber.email)
    return True
