"""A subscriber's own data, as the JSON their "my data" link downloads.

The shape (version 1) is documented in docs/privacy.md; add keys freely, never rename one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from notifier.emails import render
from notifier.emails.templates import sharing
from notifier.extensions import db
from notifier.models import (
    Bounce,
    CalendarToken,
    ConsentRecord,
    Mute,
    Outbox,
    Subscriber,
    Update,
)

SHAPE = "notifier.own-data/1"


def own_data(subscriber: Subscriber, now: datetime) -> dict:
    """Everything kept about the subscriber: address, status, choices, consent, emails, bounces."""
    return {
        "shape": SHAPE,
        "generated_at": _iso(now),
        "address": subscriber.email,
        "status": subscriber.status,
        "created_at": _iso(subscriber.created_at),
        "confirmed_at": _iso(subscriber.confirmed_at),
        "confirmed_ip": subscriber.confirmed_ip,
        "unsubscribed_at": _iso(subscriber.unsubscribed_at),
        "suppressed_at": _iso(subscriber.suppressed_at),
        "suppressed_reason": subscriber.suppressed_reason,
        "preferences": [
            {
                "strand": sub.strand.slug,
                "strand_name": sub.strand.name,
                "frequency": sub.frequency,
                "reminders": sub.reminders,
                "since": _iso(sub.created_at),
            }
            for sub in subscriber.preferences
        ],
        "consent_records": [_consent(record) for record in _consent_records(subscriber)],
        "emails": [_email(row) for row in _emails(subscriber)],
        "bounces": [_bounce(bounce) for bounce in _bounces(subscriber)],
        # "I've responded": the updates they stopped reminders for.
        "muted_updates": [
            {"title": update.title, "link": update.link, "since": _iso(mute.created_at)}
            for mute, update in db.session.execute(
                select(Mute, Update)
                .join(Update, Update.id == Mute.update_id)
                .where(Mute.subscriber_id == subscriber.id)
                .order_by(Mute.created_at)
            )
        ],
        # Private calendar links made (the link itself is not kept, only its hash).
        "calendar_links": [
            {"created_at": _iso(row.created_at), "revoked_at": _iso(row.revoked_at)}
            for row in db.session.scalars(
                select(CalendarToken)
                .where(CalendarToken.subscriber_id == subscriber.id)
                .order_by(CalendarToken.id)
            )
        ],
    }


def _consent_records(subscriber: Subscriber):
    return db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.subscriber_id == subscriber.id)
        .order_by(ConsentRecord.created_at, ConsentRecord.id)
    )


def _consent(record: ConsentRecord) -> dict:
    return {
        "action": record.action,
        "at": _iso(record.created_at),
        "source": record.source,
        "ip": record.ip,
        "user_agent": record.user_agent,
        "form_version": record.form_version,
        "wording": record.wording,
        "preferences": record.preferences,
    }


def _emails(subscriber: Subscriber) -> list[Outbox]:
    return list(
        db.session.scalars(
            select(Outbox)
            .where(Outbox.subscriber_id == subscriber.id, Outbox.status == "sent")
            .order_by(Outbox.sent_at, Outbox.id)
        )
    )


def _email(row: Outbox) -> dict:
    return {"kind": row.kind, "subject": _subject(row), "sent_at": _iso(row.sent_at)}


def _subject(row: Outbox) -> str | None:
    """The subject as sent, rendered again: the outbox keeps what to say, not the words."""
    try:
        with sharing():
            return render(row).subject
    except Exception:  # noqa: BLE001 - an update since deleted: the email is listed without it
        return None


def _bounces(subscriber: Subscriber):
    return db.session.scalars(
        select(Bounce)
        .where(or_(Bounce.subscriber_id == subscriber.id, Bounce.email == subscriber.email))
        .order_by(Bounce.received_at, Bounce.id)
    )


def _bounce(bounce: Bounce) -> dict:
    return {
        "kind": bounce.kind,
        "status_code": bounce.status_code,
        "diagnostic": bounce.diagnostic,
        "received_at": _iso(bounce.received_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
