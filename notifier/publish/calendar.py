"""Open comment deadlines and coming meetings as iCalendar documents.

UIDs stay the same for the life of a deadline or meeting and SEQUENCE goes up when one moves,
so a subscribed calendar updates its event rather than adding a second one. Times carry the
site's zone (with its VTIMEZONE), as Outlook and Apple Calendar want them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from notifier.extensions import db
from notifier.models import Deadline, Meeting, Strand, Update, update_strands


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    tz: object

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "notifier"


def open_deadlines(now: datetime, strand_ids: Iterable[int] | None = None) -> list[Deadline]:
    """Deadlines not cancelled and not yet passed, soonest first; in these strands if given.

    A general update (in no strand) concerns every strand, so it is in every strand's list.
    """
    query = (
        select(Deadline)
        .join(Deadline.update)
        .where(Deadline.cancelled.is_(False), Deadline.at > now)
        .options(joinedload(Deadline.update).selectinload(Update.strands))
        .order_by(Deadline.at, Deadline.id)
    )
    if strand_ids is not None:
        query = query.where(_in_strands(Update.id, list(strand_ids)))
    return list(db.session.scalars(query))


def _in_strands(update_id, strand_ids: list[int]):
    tagged = select(update_strands.c.update_id).where(update_strands.c.update_id == update_id)
    chosen = tagged.where(update_strands.c.strand_id.in_(strand_ids))
    return or_(~tagged.exists(), chosen.exists())


def coming_meetings(now: datetime, strand_ids: Iterable[int] | None = None) -> list[Meeting]:
    """Confirmed meetings not yet over, and cancelled ones (so calendars drop them), soonest first.

    A meeting in no strand is for everyone, so it is in every strand's list.
    """
    query = (
        select(Meeting)
        .where(Meeting.status.in_(("confirmed", "cancelled")), Meeting.ends_at > now)
        .options(selectinload(Meeting.strand))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if strand_ids is not None:
        query = query.where(
            or_(Meeting.strand_id.is_(None), Meeting.strand_id.in_(list(strand_ids)))
        )
    return list(db.session.scalars(query))


def _calendar(site: Site, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{site.name}//notifier//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(site.tz))
    return calendar


def update_page(site: Site, update: Update) -> str:
    return f"{site.base_url}/updates/{update.id}"


def deadline_event(site: Site, deadline: Deadline) -> Event:
    update = deadline.update
    at = deadline.at.astimezone(site.tz)
    event = Event()
    event.add("uid", f"deadline-{deadline.id}@{site.host}")
    # SEQUENCE tells calendar apps a moved deadline replaces the old event.
    event.add("sequence", deadline.version - 1)
    event.add("dtstamp", deadline.updated_at)
    event.add("last-modified", deadline.updated_at)
    # No DTEND: RFC 5545 reads that as an event of no length, which is what a deadline is.
    event.add("dtstart", at)
    event.add("summary", f"Comments due: {update.title}")
    event.add("url", update.link or update_page(site, update))
    about = deadline.sentence or f"Comment deadline for {update.title}"
    event.add("description", f"{about}\n\n{update_page(site, update)}")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    if update.strands:
        event.add("categories", [strand.name for strand in update.strands])
    return event


def meeting_event(site: Site, meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{site.host}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(site.tz))
    event.add("dtend", meeting.ends_at.astimezone(site.tz))
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    lines = [meeting.strand.name if meeting.strand else "All strands"]
    if meeting.registration_url:
        event.add("url", meeting.registration_url)
        lines.append(f"Register: {meeting.registration_url}")
    event.add("description", "\n".join(lines))
    if meeting.strand:
        event.add("categories", [meeting.strand.name])
    return event


def render(site: Site, name: str, deadlines: list[Deadline], meetings: list[Meeting]) -> bytes:
    calendar = _calendar(site, name)
    for deadline in deadlines:
        calendar.add_component(deadline_event(site, deadline))
    for meeting in meetings:
        calendar.add_component(meeting_event(site, meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def deadlines_calendar(site: Site, now: datetime) -> bytes:
    """GET /deadlines.ics: one event per open deadline."""
    return render(site, f"{site.name}: comment deadlines", open_deadlines(now), [])


def full_calendar(site: Site, now: datetime) -> bytes:
    """GET /calendar.ics: open deadlines and coming meetings."""
    return render(site, site.name, open_deadlines(now), coming_meetings(now))


def strand_calendar(site: Site, strand: Strand, now: datetime) -> bytes:
    """One strand's open deadlines and coming meetings."""
    ids = [strand.id]
    name = f"{site.name}: {strand.name}"
    return render(site, name, open_deadlines(now, ids), coming_meetings(now, ids))


def personal_calendar(site: Site, strand_ids: list[int], now: datetime) -> bytes:
    """A subscriber's strands' open deadlines and coming meetings."""
    if not strand_ids:
        return render(site, f"{site.name}: my strands", [], [])
    return render(
        site,
        f"{site.name}: my strands",
        open_deadlines(now, strand_ids),
        coming_meetings(now, strand_ids),
    )


def deadline_invite(site: Site, deadline: Deadline) -> bytes:
    """One deadline as its own calendar, for the attachment on a reminder email."""
    return render(site, f"{site.name}: comment deadline", [deadline], [])
