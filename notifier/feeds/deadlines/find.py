"""Choose the one comment deadline an update's text names, among its sentences' dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifier.feeds.deadlines.cues import CONTEXT, EXTENSION
from notifier.feeds.deadlines.mentions import Mention
from notifier.feeds.deadlines.resolve import previous_mention, resolve
from notifier.feeds.deadlines.scan import scan_sentence
from notifier.feeds.deadlines.sentences import split_sentences


@dataclass(frozen=True)
class FoundDeadline:
    """A comment deadline read from an update's text (stored as models.Deadline)."""

    at: datetime
    sentence: str
    weekday_mismatch: bool
    previous_at: datetime | None = None
    # Read from a date near weak cue words only ("by 3 June"): an admin should check it.
    low_confidence: bool = False


def find_deadline(text: str, published: datetime, tz: ZoneInfo) -> FoundDeadline | None:
    """Return the comment deadline named in text (an update's title + plain text), or None."""
    if published.tzinfo is None:
        published = published.replace(tzinfo=tz)
    since = published.astimezone(tz).date()
    found: list[tuple[str, Mention, list[Mention]]] = []
    olds: list[tuple[str, Mention, list[Mention]]] = []
    previous_context = False
    for sentence in split_sentences(text):
        mentions = scan_sentence(sentence, previous_context)
        found += [(sentence, m, mentions) for m in mentions if not m.old]
        olds += [(sentence, m, mentions) for m in mentions if m.old]
        previous_context = bool(CONTEXT.search(sentence))
    # A date the text calls superseded ("Comments were due on 3 March") is still the best
    # reading when nothing replaces it, if a cue names it as a deadline.
    found = found or [o for o in olds if o[1].strong]
    if not found:
        return None
    # "until tomorrow" and "on Tuesday" only when the text names no date at all; a reply
    # period's date only when there is no first-round one.
    found = [f for f in found if not f[1].relative] or found
    found = [f for f in found if not f[1].reply] or found
    revised = [f for f in found if f[1].revised]
    # A closing date about comments beats one about something else ("Discussion closes").
    strong = [f for f in found if f[1].strong]
    strong = [f for f in strong if CONTEXT.search(f[0])] + [
        f for f in strong if not CONTEXT.search(f[0])
    ]
    if not revised and len(strong) > 1 and EXTENSION.search(text):
        # An extension notice whose new date carries no word of its own ("DATES: Comments
        # must be received by March 1"): the latest deadline it names is the new one.
        sentence, best, siblings = max(strong, key=lambda f: (resolve(f[1], since), f[1].pos))
    else:
        sentence, best, siblings = revised[-1] if revised else (strong or found)[0]
    day = resolve(best, since)
    if best.clock == time(23, 59, 59) and best.zone is None:
        # "between 14th October and 23rd December ... accepted up to 12pm (Noon) on 23rd
        # December": the time given for that day elsewhere in the text is its deadline.
        timed = [
            f[1] for f in found if f[1].clock != time(23, 59, 59) and resolve(f[1], since) == day
        ]
        if timed:
            best = replace(best, clock=timed[0].clock, zone=timed[0].zone)
    at = datetime.combine(day, best.clock, best.zone or tz).astimezone(UTC)
    previous = previous_mention(best, siblings)
    previous_at = None
    if previous:
        old_day = resolve(previous, since, before=day)
        old_at = datetime.combine(old_day, previous.clock, previous.zone or tz)
        previous_at = old_at.astimezone(UTC)
    written = day - timedelta(days=best.shift)
    mismatch = (
        best.weekday is not None and best.relative is None and best.weekday != written.weekday()
    )
    return FoundDeadline(at, sentence, mismatch, previous_at, low_confidence=not best.strong)
