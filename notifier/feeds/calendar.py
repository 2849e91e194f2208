"""Open comment deadlines as an iCalendar document."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from notifier.extensions import db
from notifier.models import Deadline


def open_deadlines(now: datetime) -> list[Deadline]:
    """Deadlines not cancelled and not yet passed, soonest first."""
    query = (
        select(Deadline)
        .where(Deadline.cancelled.is_(False), Deadline.at > now)
        .options(joinedload(Deadline.update))
        .order_by(Deadline.at, Deadline.id)
    )
    return list(db.session.scalars(query))


def deadlines_calendar(now: datetime, site_name: str, base_url: str) -> bytes:
    """One VEVENT per open deadline, with a UID that stays the same as the deadline moves."""
    host = urlsplit(base_url).hostname or "notifier"
    calendar = Calendar()
    calendar.add("prodid", f"-//{site_name}//notifier deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{site_name}: comment deadlines")
    for deadline in open_deadlines(now):
        update = deadline.update
        event = Event()
        event.add("uid", f"deadline-{deadline.id}@{host}")
        # SEQUENCE tells calendar apps a moved deadline replaces the old event.
        event.add("sequence", deadline.version - 1)
        event.add("dtstamp", deadline.updated_at)
        event.add("dtstart", deadline.at)
        event.add("summary", f"Comments due: {update.title}")
        if update.link:
            event.add("url", update.link)
        event.add("description", deadline.sentence or f"Comment deadline for {update.title}")
        calendar.add_component(event)
    return calendar.to_ical()
