"""What update emails list: each update as an item, and the digest's sections built of them.

The sections are the updates grouped by strand, deadlines closing soon and meetings coming
up. Each is plain dicts for the templates, so a digest pass can share one among many emails.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from notifier.emails.list_email import local_time, summary
from notifier.extensions import db
from notifier.models import Deadline, Meeting, Strand, Update
from notifier.publish import words
from notifier.settings import current_settings


def open_deadline(update: Update, reference) -> Deadline | None:
    """The update's deadline if it is still open at reference, else None."""
    deadline = update.deadline
    if deadline is None or deadline.cancelled or deadline.at <= reference:
        return None
    return deadline


def update_item(update: Update, reference, updated: bool = False) -> dict:
    """An update as an email lists it; its deadline with the days left from reference."""
    deadline = open_deadline(update, reference)
    tz = current_settings().tz
    return {
        "title": update.title,
        "link": update.link,
        "summary": summary(update.content_text),
        "updated": updated,
        "strands": [strand.name for strand in update.strands],
        "deadline": local_time(deadline.at) if deadline else None,
        "closes_in": words.closes_in(deadline.at, reference, tz) if deadline else None,
    }


def group_by_strand(updates: list[Update], mine: list[Strand], since, until) -> list[dict]:
    """Each update once, under the first of the subscriber's strands it is in; general last."""
    order = {strand.id: index for index, strand in enumerate(mine)}
    groups: dict[str, list[dict]] = {strand.name: [] for strand in mine}
    for update in updates:
        ranked = sorted(update.strands, key=lambda s: (order.get(s.id, len(order)), s.position))
        name = ranked[0].name if ranked else "General updates"
        # It is here as a change when it was stored before this digest's window began.
        groups.setdefault(name, []).append(
            update_item(update, until, updated=update.stored_at <= since)
        )
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
            "closes_in": words.closes_in(d.at, after, current_settings().tz),
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
    tz = current_settings().tz
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
