"""Update emails: one per new update for immediate subscribers, and daily or weekly digests."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import false, select
from sqlalchemy.orm import joinedload, selectinload

from notifier.emails.list_email import (
    list_email,
    local_time,
    subscriber_of,
    summary,
)
from notifier.emails.templates import once
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Deadline, Outbox, Strand, Update
from notifier.models.email_kinds import (
    DigestPayload,
    ImmediatePayload,
    digest_frequency,
    payload_of,
)
from notifier.moments import parse_moment

CLOSING_SOON = timedelta(days=7)


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


def _item(update: Update, updated: bool = False) -> dict:
    deadline = update.deadline
    return {
        "title": update.title,
        "link": update.link,
        "summary": summary(update.content_text),
        "updated": updated,
        "strands": [strand.name for strand in update.strands],
        "deadline": local_time(deadline.at) if deadline and not deadline.cancelled else None,
    }


def immediate(row: Outbox) -> Email:
    subscriber = subscriber_of(row)
    update_id = payload_of(row, ImmediatePayload)["update"]
    (update,) = once(("updates", update_id), lambda: _updates([update_id]))
    return list_email(
        row, subscriber, f"New update: {update.title}", "immediate", item=_item(update)
    )


def group_by_strand(updates: list[Update], mine: list[Strand], since) -> list[dict]:
    """Each update once, under the first of the subscriber's strands it is in; general last."""
    order = {strand.id: index for index, strand in enumerate(mine)}
    groups: dict[str, list[dict]] = {strand.name: [] for strand in mine}
    for update in updates:
        ranked = sorted(update.strands, key=lambda s: (order.get(s.id, len(order)), s.position))
        name = ranked[0].name if ranked else "General updates"
        # It is here as a change when it was stored before this digest's window began.
        groups.setdefault(name, []).append(_item(update, updated=update.stored_at <= since))
    general = groups.pop("General updates", None)
    listed = [{"name": name, "items": items} for name, items in groups.items() if items]
    if general:
        listed.append({"name": "General updates", "items": general})
    return listed


def closing_soon(reminded: list[Strand], after, until) -> list[dict]:
    """Open deadlines in (after, until] on updates in the strands with reminders on.

    A general update concerns every strand, so it is listed when any strand has reminders.
    """
    if not reminded:
        return []
    ids = {strand.id for strand in reminded}
    deadlines = db.session.scalars(
        select(Deadline)
        .where(Deadline.cancelled == false(), Deadline.at > after, Deadline.at <= until)
        .options(joinedload(Deadline.update).selectinload(Update.strands))
        .order_by(Deadline.at)
    )
    return [
        {"title": d.update.title, "link": d.update.link, "at": local_time(d.at)}
        for d in deadlines
        if not d.update.strands or ids & {strand.id for strand in d.update.strands}
    ]


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
    return list_email(
        row,
        subscriber,
        f"Your {kind} digest: {count} {noun}",
        "digest",
        kind=kind,
        count=count,
        groups=once(("groups", ids, strands, since), lambda: group_by_strand(updates, mine, since)),
        closing=once(
            ("closing", tuple(strand.id for strand in reminded), until),
            lambda: closing_soon(reminded, until, until + CLOSING_SOON),
        ),
    )
