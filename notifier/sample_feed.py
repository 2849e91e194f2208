"""The sample feed, its dates moved on to the week the service first runs.

config/sample-feed.xml is written as of ANCHOR. A new instance (no NOTIFIER_FEED_URLS) gets a
copy in its instance folder with every date moved on by whole weeks, so weekdays in the text
stay right, and a user trying it out a year from now still sees open deadlines and meetings
to come. The copy is made once: later runs poll the same feed, so nothing is news twice.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "config" / "sample-feed.xml"
ANCHOR = date(2026, 11, 23)
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
RFC822 = re.compile(r"(<pubDate>|<lastBuildDate>)([^<]+)(</)")
TEXT_DATE = re.compile(
    r"\b(?P<day>\d{1,2})(?P<suffix>st|nd|rd|th)? (?P<month>" + "|".join(MONTHS) + r")"
    r"(?: (?P<year>\d{4}))?\b"
)


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def shift(text: str, delta: timedelta) -> str:
    """The feed's text with every date moved on by delta (a whole number of weeks)."""

    def feed_date(match: re.Match) -> str:
        moment: datetime = parsedate_to_datetime(match.group(2).strip())
        return match.group(1) + format_datetime(moment + delta) + match.group(3)

    def text_date(match: re.Match) -> str:
        year = int(match.group("year") or ANCHOR.year)
        moved = date(year, MONTHS.index(match.group("month")) + 1, int(match.group("day")))
        moved += delta
        suffix = _ordinal(moved.day) if match.group("suffix") else ""
        out = f"{moved.day}{suffix} {MONTHS[moved.month - 1]}"
        return f"{out} {moved.year}" if match.group("year") else out

    return TEXT_DATE.sub(text_date, RFC822.sub(feed_date, text))


def dated_copy(instance: Path, today: date) -> Path:
    """The instance's copy of the sample feed, made on first use for the week of today."""
    target = instance / "sample-feed.xml"
    if target.exists():
        return target
    weeks = max(0, (today - ANCHOR).days // 7)
    instance.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(shift(SAMPLE.read_text(encoding="utf-8"), timedelta(weeks=weeks)))
    os.replace(partial, target)  # two first runs at once both end with one whole file
    return target
