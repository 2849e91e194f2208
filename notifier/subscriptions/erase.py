"""Erase a subscriber at their request (or an admin's): every trace of the address goes.

What goes: the subscriber row, their subscriptions and consent records, the address on every
outbox row and bounce (with the replies and errors that may quote it; in audit text it is
replaced). What stays: a
keyed hash of the normalised address (HMAC-SHA256 under the secret key) in `erasures`, so an
import or an admin cannot add the address back by accident, and the counts that hold no one's
address (an outbox row's kind, status and times; a bounce's kind and code). Its owner can
still come back through the form with a fresh double opt-in; confirming lifts the hash.
See docs/adr/0015-erasure-keeps-a-keyed-hash.md.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import String, cast, delete, literal, or_, select, update

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import (
    AuditEntry,
    Bounce,
    ConsentRecord,
    Erasure,
    Outbox,
    Subscriber,
    Subscription,
)
from notifier.subscriptions.choices import InvalidChoice

ERASED = "[erased]"  # what an audit entry says where it quoted the address
REFUSAL = (
    "was erased at its owner's request; only its owner can add it back, "
    "by subscribing again through the form"
)


class ErasedAddress(InvalidChoice):
    """An import or an admin tried to add an address its owner had erased."""

    def __init__(self, email: str):
        super().__init__("email", f"{email} {REFUSAL}")


@dataclass(frozen=True)
class ErasureReport:
    subscribers: int
    emails_scrubbed: int
    emails_cancelled: int
    bounces_scrubbed: int
    consent_records: int


def address_hash(email: str) -> str:
    """The keyed hash kept of an erased address: HMAC-SHA256 of it under the secret key."""
    (digest,) = address_hashes([email])
    return digest


def address_hashes(emails: Iterable[str]) -> dict[str, str]:
    """address_hash() of each address, by hash: the key read once, for an import's batches."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.digest
    return {digest(key, email.strip().lower().encode(), "sha256").hex(): email for email in emails}


def is_erased(email: str) -> bool:
    """Whether this (normalised) address was erased and not since confirmed afresh."""
    found = db.session.scalar(select(Erasure.id).where(Erasure.address_hash == address_hash(email)))
    return found is not None


def refuse_if_erased(email: str) -> None:
    """Raise ErasedAddress for an erased address: for imports and admins adding people."""
    if is_erased(email):
        raise ErasedAddress(email)


def forget_erasure(email: str) -> None:
    """Drop the hash: the owner came back and confirmed a new subscription themselves."""
    db.session.execute(delete(Erasure).where(Erasure.address_hash == address_hash(email)))


def erase(
    subscriber: Subscriber, now: datetime, reason: str = "subscriber", actor: str | None = None
) -> ErasureReport:
    """Erase the subscriber and every trace of their address; the caller commits.

    reason: subscriber, admin or retention. actor (an admin's email, "cli"): an audit entry
    records that an erase happened, naming the subscriber's id, never the address.
    """
    subscriber_id = subscriber.id
    report = erase_many([subscriber], now, reason)
    if actor is not None:
        db.session.add(
            AuditEntry(
                actor=actor, action="subscriber.erase", target=f"subscriber {subscriber_id}", at=now
            )
        )
    return report


def erase_many(
    subscribers: list[Subscriber], now: datetime, reason: str, keep_hash: bool = True
) -> ErasureReport:
    """Erase these subscribers in a few set-based statements; the caller commits.

    keep_hash False: forget them without a trace, for sign-ups never confirmed (they gave no
    consent that an import should respect).
    """
    ids = [subscriber.id for subscriber in subscribers]
    emails = [subscriber.email for subscriber in subscribers]
    if not ids:
        return ErasureReport(0, 0, 0, 0, 0)
    if keep_hash:
        db.session.execute(
            insert_ignoring_duplicates(Erasure.__table__),
            [{"address_hash": address_hash(e), "erased_at": now, "reason": reason} for e in emails],
        )
    theirs = or_(Outbox.subscriber_id.in_(ids), Outbox.to_address.in_(emails))
    cancelled = db.session.execute(
        update(Outbox)
        .where(theirs, Outbox.status == "queued", Outbox.claimed_by.is_(None))
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    # The key goes too: it names the subscriber's id, which SQLite may give to someone new,
    # whose own emails must not collide with these. Replies and errors may quote the address.
    scrubbed = db.session.execute(
        update(Outbox)
        .where(theirs)
        .values(
            to_address="",
            subscriber_id=None,
            key=literal("erased:").concat(cast(Outbox.id, String)),
            smtp_reply=None,
            last_error=f"address erased ({reason})",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    bounces = db.session.execute(
        update(Bounce)
        .where(or_(Bounce.subscriber_id.in_(ids), Bounce.email.in_(emails)))
        .values(email="", subscriber_id=None, diagnostic=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    for email in emails:
        _scrub_audit(email)
    consent_records = db.session.execute(
        delete(ConsentRecord).where(ConsentRecord.subscriber_id.in_(ids))
    ).rowcount
    db.session.execute(delete(Subscription).where(Subscription.subscriber_id.in_(ids)))
    db.session.execute(delete(Subscriber).where(Subscriber.id.in_(ids)))
    for subscriber in subscribers:
        if subscriber in db.session:
            db.session.expunge(subscriber)
    return ErasureReport(len(ids), scrubbed, cancelled, bounces, consent_records)


def _scrub_audit(email: str) -> None:
    """Take the address out of audit entries that quote it (an unsuppress names its target)."""
    pattern = f"%{email}%"
    entries = db.session.scalars(
        select(AuditEntry).where(
            or_(
                AuditEntry.target.like(pattern),
                AuditEntry.note.like(pattern),
                cast(AuditEntry.detail, String).like(pattern),
            )
        )
    )
    for entry in entries:
        entry.target = entry.target and entry.target.replace(email, ERASED)
        entry.note = entry.note and entry.note.replace(email, ERASED)
        entry.detail = _scrub_json(entry.detail, email)


def _scrub_json(value, email: str):
    if isinstance(value, str):
        return value.replace(email, ERASED)
    if isinstance(value, list):
        return [_scrub_json(item, email) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, email) for key, item in value.items()}
    return value
