"""Record a bounce or complaint against an address, suppress it, and lift a suppression."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from notifier.extensions import db
from notifier.models import AuditEntry, Bounce, Outbox, Subscriber
from notifier.settings import current_settings
from notifier.subscriptions.erase import is_erased

KINDS = ("hard", "soft", "complaint")


class SuppressionError(Exception):
    """The address is unknown or not suppressed."""


def record_bounce(
    email: str,
    kind: str,
    now: datetime,
    *,
    status_code: str | None = None,
    diagnostic: str | None = None,
    source: str = "dsn",
    outbox_id: int | None = None,
) -> Bounce:
    """Store one bounce and act on it: hard or complaint suppresses, soft adds to a score.

    Runs in the caller's transaction; the caller commits.
    """
    if kind not in KINDS:
        raise ValueError(f"bounce type must be one of {', '.join(KINDS)}, not {kind!r}")
    address = email.strip().lower()
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == address))
    if subscriber is None and is_erased(address):
        # A report about an email that was in flight when its owner erased themselves: it is
        # counted, but must not bring the address back.
        address = ""
    bounce = Bounce(
        email=address,
        subscriber_id=subscriber.id if subscriber else None,
        outbox_id=outbox_id,
        kind=kind,
        status_code=status_code,
        diagnostic=(diagnostic or "")[:2000] or None,
        source=source,
        received_at=now,
    )
    db.session.add(bounce)
    if subscriber is None:
        return bounce
    if kind == "soft":
        subscriber.bounce_score += 1
        threshold = current_settings().soft_bounce_threshold
        if subscriber.bounce_score >= threshold:
            suppress(subscriber, f"{subscriber.bounce_score} soft bounces", now)
    else:
        reason = "complaint" if kind == "complaint" else f"hard bounce {status_code or ''}"
        suppress(subscriber, reason.strip(), now)
    return bounce


def suppress(subscriber: Subscriber, reason: str, now: datetime) -> int:
    """Stop all mail to a subscriber; return how many queued emails were cancelled."""
    if subscriber.status != "suppressed":
        subscriber.status = "suppressed"
        subscriber.suppressed_at = now
        subscriber.suppressed_reason = reason[:200]
    result = db.session.execute(
        update(Outbox)
        .where(Outbox.subscriber_id == subscriber.id, Outbox.status == "queued")
        .values(status="cancelled", last_error=f"address suppressed: {reason}"[:2000])
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def unsuppress(email: str, actor: str = "cli") -> Subscriber:
    """Lift a suppression (for the CLI and an admin page); the audit log says who did it.

    The address returns to the status it had, with a clean bounce score. The caller commits.
    Raise SuppressionError when the address is unknown or not suppressed.
    """
    address = email.strip().lower()
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == address))
    if subscriber is None:
        raise SuppressionError(f"no subscriber has the address {address}")
    if subscriber.status != "suppressed":
        raise SuppressionError(f"{address} is {subscriber.status}, not suppressed")
    db.session.add(
        AuditEntry(
            actor=actor,
            action="subscriber.unsuppress",
            target=address,
            detail={
                "reason": subscriber.suppressed_reason,
                "bounce_score": subscriber.bounce_score,
            },
        )
    )
    subscriber.status = _status_before_suppression(subscriber)
    subscriber.suppressed_at = None
    subscriber.suppressed_reason = None
    subscriber.bounce_score = 0
    return subscriber


def suppressed(limit: int = 500) -> list[Subscriber]:
    """Suppressed subscribers, most recent first: what an admin page lists."""
    return list(
        db.session.scalars(
            select(Subscriber)
            .where(Subscriber.status == "suppressed")
            .order_by(Subscriber.suppressed_at.desc(), Subscriber.id)
            .limit(limit)
        )
    )


def _status_before_suppression(subscriber: Subscriber) -> str:
    # Lifting a bounce gives no new consent: someone who never confirmed goes back to pending,
    # and someone who had unsubscribed stays unsubscribed.
    confirmed, left = subscriber.confirmed_at, subscriber.unsubscribed_at
    if left is not None and (confirmed is None or left >= confirmed):
        return "unsubscribed"
    return "confirmed" if confirmed is not None else "pending"
