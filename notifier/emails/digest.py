"""Update emails: one per new update for immediate subscribers, and daily or weekly digests."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from notifier.emails.list_email import list_email, short_title, subscriber_of
from notifier.emails.sections import (
    closing_soon,
    coming_up,
    group_by_strand,
    open_deadline,
    update_item,
)
from notifier.emails.templates import once
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Outbox, Update
from notifier.models.email_kinds import (
    DigestPayload,
    ImmediatePayload,
    digest_frequency,
    payload_of,
)
from notifier.moments import parse_moment
from notifier.publish import words
from notifier.settings import current_settings

CLOSING_SOON = timedelta(days=7)
COMING_UP = timedelta(days=14)


def _updates(ids: list[int]) -> list[Update]:
    """The updates by id in one query (plus one for their strands), oldest first."""
    return list(
        db.session.scalars(
            select(Update)
            .where(Update.id.in_(ids))
            .options(selectinload(Update.strands), joinedload(Update.deadline))
            .order_by(Update.stored_at, Update.id)
        ).unique()
    )


def _soonest(updates: list[Update], closing: list[dict], reference) -> tuple[str, str] | None:
    """(short title, close day) of the soonest deadline an email mentions, if any."""
    moments = [
        (d.at, update.title) for update in updates if (d := open_deadline(update, reference))
    ]
    moments += [(entry["moment"], entry["title"]) for entry in closing]
    if not moments:
        return None
    at, title = min(moments)
    return short_title(title), words.close_day(at, reference, current_settings().tz)


def immediate(row: Outbox) -> Email:
    subscriber = subscriber_of(row)
    update_id = payload_of(row, ImmediatePayload)["update"]
    (update,) = once(("updates", update_id), lambda: _updates([update_id]))
    # Days left are counted from when the email was queued, so a retry says the same.
    reference = row.created_at
    item = update_item(update, reference)
    subject = f"New update: {update.title}"
    if soonest := _soonest([update], [], reference):
        subject += f" · comments close {soonest[1]}"
    preheader = (
        f"Comments close {item['deadline']} ({item['closes_in']})."
        if item["deadline"]
        else item["summary"][:140]
    )
    return list_email(row, subscriber, subject, "immediate", item=item, preheader=preheader)


def digest(row: Outbox) -> Email:
    subscriber = subscriber_of(row)
    kind = digest_frequency(row.key)
    payload = payload_of(row, DigestPayload)
    since, until = parse_moment(payload["since"], UTC), parse_moment(payload["until"], UTC)
    ids = tuple(payload["updates"])
    # Digests of one period share their updates: loaded once per pass, not once per digest.
    updates = once(("updates", ids), lambda: _updates(list(ids)))
    # The worker loaded each subscriber with their strands: no query per digest for them.
    mine = [sub.strand for sub in subscriber.preferences]
    reminded = [sub.strand for sub in subscriber.preferences if sub.reminders]
    strands = tuple(strand.id for strand in mine)
    count = len(updates)
    noun = "update" if count == 1 else "updates"
    groups = once(
        ("groups", ids, strands, since, until),
        lambda: group_by_strand(updates, mine, since, until),
    )
    closing = once(
        ("closing", tuple(strand.id for strand in reminded), until, ids),
        lambda: closing_soon(reminded, until, until + CLOSING_SOON, set(ids)),
    )
    meetings = once(("coming", strands, until), lambda: coming_up(mine, until, until + COMING_UP))
    subject, preheader = _digest_subject(
        kind, count, noun, updates, groups, closing, meetings, until
    )
    return list_email(
        row,
        subscriber,
        subject,
        "digest",
        kind=kind,
        count=count,
        groups=groups,
        closing=[{k: v for k, v in entry.items() if k != "moment"} for entry in closing],
        meetings=meetings,
        preheader=preheader,
    )


def _digest_subject(kind, count, noun, updates, groups, closing, meetings, until):
    """'Your daily digest: 2 updates · comments on Disclosure standard close Monday', and a
    preheader saying where they are from and what else is inside (no title twice)."""
    subject = f"Your {kind} digest: {count} {noun}"
    soonest = _soonest(updates, closing, until)
    if soonest:
        subject += f" · comments on {soonest[0]} close {soonest[1]}"
    elif updates:
        subject += f" · {short_title(updates[0].title)}"
        subject += f" and {count - 1} more" if count > 1 else ""
    parts = [f"{count} {noun} in " + ", ".join(group["name"] for group in groups)]
    if soonest:
        parts.append(f"the soonest deadline is {soonest[1]}")
    if meetings:
        parts.append(f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} coming up")
    return subject, " · ".join(parts)[:200]
