"""Deadlines and meetings in the words people read them in, in the site's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo


def moment(at: datetime, tz: tzinfo, year: bool = True) -> str:
    """'Friday 29 August 2014, 11:59pm' (the year left out when year is False)."""
    local = at.astimezone(tz)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    when = f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"
    if (local.hour, local.minute) == (12, 0):
        when = "midday"
    day = f"{local:%A} {local.day} {local:%B}" + (f" {local.year}" if year else "")
    return f"{day}, {when}"


def days_left(at: datetime, now: datetime, tz: tzinfo) -> int:
    """Calendar days from now's date to the deadline's date, in the site's zone."""
    return (at.astimezone(tz).date() - now.astimezone(tz).date()).days


def closes_in(at: datetime, now: datetime, tz: tzinfo) -> str:
    """'closes today', 'closes tomorrow', 'closes in 5 days' or 'closed'."""
    if at <= now:
        return "closed"
    days = days_left(at, now, tz)
    if days <= 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    return f"closes in {days} days"


def moved(previous: datetime, at: datetime, tz: tzinfo) -> str:
    """'was Friday 29 August, 11:59pm; now Friday 5 September, 11:59pm' (years if they differ)."""
    years = previous.astimezone(tz).year != at.astimezone(tz).year
    return f"was {moment(previous, tz, years)}; now {moment(at, tz, years)}"


def close_day(at: datetime, now: datetime, tz: tzinfo) -> str:
    """The day comments close, as a subject line says it: 'today', 'Monday', '14 March'."""
    days = days_left(at, now, tz)
    local = at.astimezone(tz)
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"{local:%A}"
    return f"{local.day} {local:%B}"


def meeting_time(start: datetime, end: datetime, tz: tzinfo) -> str:
    """'Thursday 23 April 2014, 10am to midday'; the end's day too when it is another day."""
    if start.astimezone(tz).date() != end.astimezone(tz).date():
        return f"{moment(start, tz)} to {moment(end, tz)}"
    return f"{moment(start, tz)} to {moment(end, tz).split(', ')[1]}"
