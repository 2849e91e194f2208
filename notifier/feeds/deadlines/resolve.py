"""Turn a mention into a calendar day: give a yearless date its year, a relative one its day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from notifier.feeds.deadlines.mentions import Mention


def resolve(mention: Mention, since: date, before: date | None = None) -> date:
    """Give a yearless date its year: first on/after publication, or last on/before `before`."""
    if mention.shift:
        return resolve(replace(mention, shift=0), since, before) + timedelta(days=mention.shift)
    if mention.relative:
        return resolve_relative(mention, since)
    if mention.year is not None:
        return date(mention.year, mention.month, mention.day)
    if mention.past and before is None and mention.weekday is None:
        return resolve(replace(mention, past=False), since, before=since)
    if mention.weekday is not None and before is None:
        # "closed at 12pm on Monday 2 September" on a page of past consultations: the year
        # whose 2 September is a Monday, the next one if there is one, else the last one.
        fits = []
        for year in (since.year - 1, since.year, since.year + 1):
            try:
                day = date(year, mention.month, mention.day)
            except ValueError:
                continue
            if day.weekday() == mention.weekday:
                fits.append(day)
        ahead = [d for d in fits if d >= since]
        if ahead or fits:
            return (ahead or fits)[0] if ahead else fits[-1]
    year = before.year if before else since.year
    for _ in range(9):
        try:
            day = date(year, mention.month, mention.day)
        except ValueError:  # 29 February outside a leap year
            day = None
        if day and (day <= before if before else day >= since):
            return day
        year += -1 if before else 1
    return date(year, mention.month, 28)


def resolve_relative(mention: Mention, since: date) -> date:
    """The day "tomorrow", "on Tuesday" or "the end of the month" means, from publication."""
    if mention.relative in ("today", "tonight"):
        return since
    if mention.relative == "tomorrow":
        return since + timedelta(days=1)
    if mention.relative == "month":
        first_next = (since.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first_next - timedelta(days=1)
    ahead = (mention.weekday - since.weekday()) % 7 or 7
    return since + timedelta(days=ahead)


def previous_mention(best: Mention, siblings: list[Mention]) -> Mention | None:
    """Return the date an extension replaced, when the same sentence names it."""
    olds = [m for m in siblings if m.old]
    if not olds and best.revised:
        olds = [m for m in siblings if m.pos < best.pos]
    if not olds:
        return None
    return min(olds, key=lambda m: abs(m.pos - best.pos))
