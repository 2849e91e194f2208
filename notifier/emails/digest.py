"""Update emails: one per new update for immediate subscribers, and daily or weekly digests."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from notifier.emails.list_email import (
    list_email,
    local_time,
    short_title,
    subscriber_of,
    summary,
)
from notifier.emails.templates import once
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Deadline, Meeting, Outbox, Strand, Update
from notifier.models.email_kinds import (
    DigestPayload,
    ImmediatePayload,
    digest_frequency,
    payload_of,
)
from notifier.moments import parse_moment
from notifier.publish import words

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


COMING_UP = timedelta(days=14)


def _tz():
    return current_app.config["NOTIFIER"].tz


def _open(update: Update, reference) -> Deadline | None:
    deadline = update.deadline
    if deadline is None or deadline.cancelled or deadline.at <= reference:
        return None
    return deadline


def _item(update: Update, reference, updated: bool = False) -> dict:
    """An update as an email lists it; its deadline with the days left from reference."""
    deadline = _open(update, reference)
    return {
        "title": update.title,
        "link": update.link,
        "summary": summary(update.content_text),
        "updated": updated,
        "strands": [strand.name for strand in update.strands],
        "deadline": local_time(deadline.at) if deadline else None,
        "closes_in": words.closes_in(deadline.at, reference, _tz()) if deadline else None,
    }


def _soonest(updates: list[Update], closing: list[dict], reference) -> tuple[str, str] | None:
    """(short title, close day) of the soonest deadline an email mentions, if any."""
    moments = [(d.at, update.title) for update in updates if (d := _open(update, reference))]
    moments += [(entry["moment"], entry["title"]) for entry in closing]
    if not moments:
        return None
    at, title = min(moments)
    return short_title(title), words.close_day(at, reference, _tz())


def immediate(row: Outbox) -> Email:
    subscriber = subscriber_of(row)
    update_id = payload_of(row, ImmediatePayload)["update"]
    (update,) = once(("updates", update_id), lambda: _updates([update_id]))
    # Days left are counted from when the email was queued, so a retry says the same.
    reference = row.created_at
    item = _item(update, reference)
    subject = f"New update: {update.title}"
    if soonest := _soonest([update], [], reference):
        subject += f" · comments close {soonest[1]}"
    preheader = (
        f"Comments close {item['deadline']} ({item['closes_in']})."
        if item["deadline"]
        else item["summary"][:140]
    )
    return list_email(row, subscriber, subject, "immediate", item=item, preheader=preheader)


def group_by_strand(updates: list[Update], mine: list[Strand], since, until) -> list[dict]:
    """Each update once, under the first of the subscriber's strands it is in; general last."""
    order = {strand.id: index for index, strand in enumerate(mine)}
    groups: dict[str, list[dict]] = {strand.name: [] for strand in mine}
    for update in updates:
        ranked = sorted(update.strands, key=lambda s: (order.get(s.id, len(order)), s.position))
        name = ranked[0].name if ranked else "General updates"
        # It is here as a change when it was stored before this digest's window began.
        groups.setdefault(name, []).append(_item(update, until, updated=update.stored_at <= since))
    general = groups.pop("General updates", None)
    listed = [{"name": name, "items": items} for name, items in groups.items() if items]
    if general:
        listed.append({"name": "General updates", "items": general})
    return listed


def closing_soon(reminded: list[Strand], after, until, listed=()) -> list[dict]:
    """Open deadlines in (after, until] on updates in the strands with reminders on.

    A general update concerns every strand, so it is listed when any strand has reminders.
    An update the digest lists already (listed: ids) is not listed again: its item shows
    its deadline.
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
        {
            "title": d.update.title,
            "link": d.update.link,
            "at": local_time(d.at),
            "moment": d.at,
            "closes_in": words.closes_in(d.at, after, _tz()),
        }
        for d in deadlines
        if d.update_id not in listed
        and (not d.update.strands or ids & {strand.id for strand in d.update.strands})
    ]


def coming_up(mine: list[Strand], after, until) -> list[dict]:
    """Confirmed meetings starting in (after, until], in the subscriber's strands or for all."""
    ids = [strand.id for strand in mine]
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == "confirmed",
            Meeting.starts_at > after,
            Meeting.starts_at <= until,
            or_(Meeting.strand_id.is_(None), Meeting.strand_id.in_(ids)),
        )
        .options(selectinload(Meeting.strand))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    tz = _tz()
    return [
        {
            "title": m.title,
            "strand": m.strand.name if m.strand else "All strands",
            "when": words.meeting_time(m.starts_at, m.ends_at, tz),
            "place": m.place,
            "registration_url": m.registration_url,
        }
        for m in meetings
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
