"""A date named in a sentence, read from its match into day, time of day and zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, tzinfo

from notifier.feeds.deadlines.grammar import MONTHS, REGION, ZONES


@dataclass
class Mention:
    """A date in a sentence plus what the text around it says about it."""

    pos: int
    year: int | None
    month: int
    day: int
    weekday: int | None
    clock: time
    zone: tzinfo | None
    strong: bool = False
    revised: bool = False
    old: bool = False
    # "tomorrow", "today", "tonight", "month" (its end) or "weekday": read from publication.
    relative: str | None = None
    # Days added to the written date ("extended by a week" from it).
    shift: int = 0
    reply: bool = False
    past: bool = False


def parse_date(
    m: re.Match[str], clock_m: re.Match[str] | None, zone_m: re.Match[str] | None = None
) -> Mention | None:
    """Turn a date match (and its time, if any) into a mention, or None if no such day exists."""
    g = m.groupdict()
    if g["iy"]:
        year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["xd"]:
        year, month, day = int(g["xy"]), MONTHS[g["xm"][:3].lower()], int(g["xd"])
        year += 2000 if year < 100 else 0
    elif g["nd"]:
        # UK site: 04/03/2030 is 4 March.
        year, month, day = int(g["ny"]), int(g["nm"]), int(g["nd"])
        year += 2000 if year < 100 else 0
    else:
        name = g["dm"] or g["mm"]
        year = int(g["dy"] or g["my"]) if (g["dy"] or g["my"]) else None
        month, day = MONTHS[name[:3].lower()], int(g["dd"] or g["md"])
    try:
        date(year or 2000, month, day)  # 2000 is a leap year, so 29 February passes here
    except ValueError:
        return None
    weekday = weekday_number(g["wd"]) if g["wd"] else None
    clock, zone = read_clock(clock_m)
    if zone_m:
        zone = read_zone(zone_m)
    return Mention(m.start(), year, month, day, weekday, clock, zone)


def weekday_number(name: str) -> int:
    """Monday is 0, as date.weekday() counts; name is any spelling WEEKDAY matches."""
    return ["mo", "tu", "we", "th", "fr", "sa", "su"].index(name[:2].lower())


def read_zone(m: re.Match[str]) -> tzinfo | None:
    if m["region"]:
        return ZONES[REGION[m["region"].lower()]]
    return ZONES[" ".join(m["zone"].upper().split())] if m["zone"] else None


def read_clock(m: re.Match[str] | None) -> tuple[time, tzinfo | None]:
    """Return the time of day and any zone named; a bare date means the end of that day."""
    if m is None:
        return time(23, 59, 59), None
    zone = read_zone(m)
    if m["word"]:
        # "midnight on 5 June" is read as the end of 5 June, which is what people mean.
        word = m["word"].lower()
        return (time(12) if word in ("noon", "midday") else time(23, 59, 59)), zone
    if m["h24"]:
        return time(int(m["h24"]), int(m["m24"])), zone
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if hour <= 12:
        hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
    return time(min(hour, 23), minute), zone
