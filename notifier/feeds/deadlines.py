"""Read the comment deadline out of a consultation update's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Deadline:
    """A comment deadline found in an update."""

    at: datetime
    sentence: str
    weekday_mismatch: bool
    previous_at: datetime | None = None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_ORD = r"(?:st|nd|rd|th)?"

_DATE = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY}),?\s+(?:the\s+)?)?(?:"
    r"(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)(?!\d)"
    r"|(?P<nd>\d{1,2})(?P<sep>[/.])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d\d)(?![\d.]\d)"
    rf"|(?:the\s+)?(?P<dd>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<dm>{_MONTH})(?:,?\s+(?P<dy>{_YEAR}))?"
    rf"|(?P<mm>{_MONTH})\s+(?P<md>\d{{1,2}}){_ORD}(?![\d:]|\s*[ap]\.?m\b)(?:,?\s+(?P<my>{_YEAR}))?"
    r")",
    re.I,
)

_ZONES: dict[str, tzinfo] = {
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    # BST is a fixed offset, not "London": someone writing BST in winter still means UTC+1.
    "BST": timezone(timedelta(hours=1)),
    "UK TIME": ZoneInfo("Europe/London"),
    "LONDON TIME": ZoneInfo("Europe/London"),
    "CET": ZoneInfo("Europe/Paris"),
    "CEST": ZoneInfo("Europe/Paris"),
    # US abbreviations are used loosely (EST in July), so follow the local clock.
    **dict.fromkeys(["ET", "EST", "EDT"], ZoneInfo("America/New_York")),
    **dict.fromkeys(["CT", "CST", "CDT"], ZoneInfo("America/Chicago")),
    **dict.fromkeys(["PT", "PST", "PDT"], ZoneInfo("America/Los_Angeles")),
}
_TIME = (
    r"(?:(?:\b12\s+)?\b(?P<word>noon|midday|midnight)\b"
    r"|(?<![\d:])(?P<h>\d{1,2})(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![\d:.])(?P<h24>[01]?\d|2[0-3])[:.](?P<m24>[0-5]\d)(?![\d.]\d)(?:\s*(?:hrs?|hours)\b)?)"
    r"(?:\s*\(?\s*(?P<zone>uk time|london time|utc|gmt|bst|cest|cet|edt|est|et|cdt|cst|ct"
    r"|pdt|pst|pt|z)\b\)?)?"
)
_TIME_BEFORE = re.compile(_TIME + r"\s*,?\s*(?:(?:on|of)\s+)?(?:the\s+)?$", re.I)
_TIME_AFTER = re.compile(r"^\s*,?\s*(?:\(|at\s+|by\s+|until\s+|T)?" + _TIME, re.I)

# Weak cues only count right before the date ("by the end of", "until 5pm on"), because
# "by" further away usually belongs to something else ("published by the Cabinet Office on").
_WEAK = re.compile(
    r"(?:\b(?:until|till|by|before|(?:no|not)\s+later\s+than|due(?:\s+(?:on|by))?|through"
    r"|up\s+to(?:\s+and\s+including)?|(?:received|submitted|arriving)\s+after)\b(?:\s*,?\s*\b(?:the|end|of|close|on|at|business|day"
    r"|play)\b)*|\bto)\s*,?\s*$",
    re.I,
)
_STRONG = re.compile(
    r"\b(?:clos(?:e|es|ing)(?!\s+to\b)|ends|deadline|extended|extension"
    r"|postponed|last\s+day|open\s+for\s+(?:comments?|consultation|responses?))\b",
    re.I,
)
_SUFFIX_STRONG = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?,?\s*(?:is|will\s+be|has\s+been\s+set\s+as)?\s*(?:the\s+)?"
    r"(?P<rev>(?:new|revised|final)\s+)?(?:closing\s+date|deadline)\b",
    re.I,
)
_REVISED = re.compile(
    r"\b(?:revised|extended|extension|new|postponed|moved|changed|amended|pushed\s+back"
    r"|rescheduled)\b",
    re.I,
)
_CONTEXT = re.compile(
    r"\b(?:comment|respon[sd]|feedback|consult|submi(?:t|ssion)|views\b|evidence|repl(?:y|ies)"
    r"|representation|input\b|questionnaire|survey|preferably|objection|tell\s+us"
    r"|have\s+your\s+say|let\s+us\s+know)",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:meet(?:s|ing|ings)?|met|workshops?|events?|seminars?|webinars?|conferences?"
    r"|sessions?|hearings?|publish(?:ed|es)?|publication|(?:was|were|been)\s+sent|since"
    r"|save\s+the\s+date|regist(?:er|ered|ration)|held|took\s+place|launch(?:ed|es)?"
    r"|book(?:ing)?|attend|exhibition|round\s?table|issued|released|drop-in)\b",
    re.I,
)
_OLD_MARKER = re.compile(
    r"\b(?:previously|originally|formerly|instead\s+of|rather\s+than)\s*:?\s*$", re.I
)
_FROM = re.compile(r"\b(?:from|between|was)\s*$", re.I)
_RANGE_JOIN = re.compile(r"^\s*(?:(?P<dash>-|–|—)|to|until|till|and)\s*$", re.I)
# Publishing something "by" a date is a promise, not a comment deadline.
_PUBLISHING = re.compile(r"\b(?:publish|publication|announce)", re.I)
_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
_ABBREV = re.compile(
    r"\b(?:[ap]\.m|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mon|tues?|wed|thu(?:rs)?|fri|sat|sun|mrs?|ms|dr|st|nos?"
    r"|e\.g|i\.e|etc|cf|vs)\.$",
    re.I,
)
_CONTINUES = re.compile(rf"[a-z0-9]|(?i:{_WEEKDAY}|{_MONTH})")


@dataclass
class _Mention:
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


def find_deadline(text: str, published: datetime, tz: ZoneInfo) -> Deadline | None:
    """Return the comment deadline named in text (an update's title + plain text), or None."""
    if published.tzinfo is None:
        published = published.replace(tzinfo=tz)
    since = published.astimezone(tz).date()
    found: list[tuple[str, _Mention, list[_Mention]]] = []
    for sentence in _sentences(text):
        mentions = _scan(sentence)
        found += [(sentence, m, mentions) for m in mentions if not m.old]
    if not found:
        return None
    revised = [f for f in found if f[1].revised]
    strong = [f for f in found if f[1].strong]
    sentence, best, siblings = revised[-1] if revised else (strong or found)[0]
    day = _resolve(best, since)
    at = datetime.combine(day, best.clock, best.zone or tz).astimezone(UTC)
    previous = _previous(best, siblings)
    previous_at = None
    if previous:
        old_day = _resolve(previous, since, before=day)
        old_at = datetime.combine(old_day, previous.clock, previous.zone or tz)
        previous_at = old_at.astimezone(UTC)
    mismatch = best.weekday is not None and best.weekday != day.weekday()
    return Deadline(at, sentence, mismatch, previous_at)


def _sentences(text: str) -> list[str]:
    """Split text into whitespace-collapsed sentences, keeping wrapped lines together."""
    out, start = [], 0
    for br in _BREAK.finditer(text):
        before, after = text[start : br.start()], text[br.end() :]
        if "\n" in br.group() and br.group().count("\n") < 2 and before[-1:] not in ".!?:;|":
            # A lone line break mid-phrase is wrapping ("comments by\n3 June"), not a new sentence.
            if before[-1:].isalnum() and _CONTINUES.match(after):
                continue
        elif "\n" not in br.group() and (_ABBREV.search(before) or not after[:1].isupper()):
            continue
        out.append(before)
        start = br.end()
    out.append(text[start:])
    return [s for s in (" ".join(s.split()) for s in out) if s]


def _scan(sentence: str) -> list[_Mention]:
    """Return the deadline candidates and superseded dates named in one sentence."""
    dates = list(_DATE.finditer(sentence))
    has_context = bool(_CONTEXT.search(sentence))
    has_negative = bool(_NEGATIVE.search(sentence))
    extension = bool(re.search(r"\b(?:extend|postpone|moved|changed|revised)", sentence, re.I))
    out: list[_Mention] = []
    # A strong cue whose first date proved to be something else ("closing date for the
    # paper published on 3 March is ...") still governs the next date.
    pending: tuple[int, bool] | None = None
    seg_start, period_end = 0, False
    for i, m in enumerate(dates):
        seg = sentence[seg_start : m.start()]
        end = dates[i + 1].start() if i + 1 < len(dates) else len(sentence)
        after = sentence[m.end() : end]
        clock_m = _TIME_BEFORE.search(seg)
        lead = seg[: clock_m.start()] if clock_m else seg
        tail = 0
        if not clock_m and (clock_m := _TIME_AFTER.match(after)):
            tail = clock_m.end()
        seg_start = m.end() + tail
        mention = _parse(m, clock_m)
        if mention is None:
            continue
        is_old = bool(_OLD_MARKER.search(lead)) or (extension and bool(_FROM.search(lead)))
        join = _RANGE_JOIN.match(after[tail:])
        starts_period = bool(join and (_FROM.search(lead) or join["dash"]))
        ends_period, period_end = period_end, starts_period
        if cue := list(_STRONG.finditer(seg)):
            pending = (cue[-1].end(), bool(_REVISED.search(seg)))
        elif pending:
            pending = (0, pending[1])
        if is_old:
            mention.old = True
            out.append(mention)
            continue
        if starts_period:
            continue
        suffix = _SUFFIX_STRONG.match(after[tail:])
        weak = bool(_WEAK.search(lead)) or ends_period
        anchor = max([pending[0] if pending else -1] + [c.end() for c in _CONTEXT.finditer(seg)])
        blocked = any(n.start() >= anchor for n in _NEGATIVE.finditer(seg))
        strong = bool(pending or suffix)
        if not (strong or weak) or blocked or (not strong and _PUBLISHING.search(seg)):
            continue
        if not (has_context or (strong and not has_negative)):
            continue
        mention.strong = strong
        mention.revised = bool(
            (pending and pending[1])
            or (suffix and suffix["rev"])
            or _REVISED.search(seg)
            or any(o.old for o in out)
        )
        pending = None
        out.append(mention)
    return out


def _parse(m: re.Match[str], clock_m: re.Match[str] | None) -> _Mention | None:
    """Turn a date match (and its time, if any) into a mention, or None if no such day exists."""
    g = m.groupdict()
    if g["iy"]:
        year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["nd"]:
        # UK site: 04/03/2030 is 4 March.
        year, month, day = int(g["ny"]), int(g["nm"]), int(g["nd"])
        year += 2000 if year < 100 else 0
    else:
        name = g["dm"] or g["mm"]
        year = int(g["dy"] or g["my"]) if (g["dy"] or g["my"]) else None
        month, day = _MONTHS[name[:3].lower()], int(g["dd"] or g["md"])
    try:
        date(year or 2000, month, day)  # 2000 is a leap year, so 29 February passes here
    except ValueError:
        return None
    weekday = None
    if g["wd"]:
        weekday = ["mo", "tu", "we", "th", "fr", "sa", "su"].index(g["wd"][:2].lower())
    clock, zone = _clock(clock_m)
    return _Mention(m.start(), year, month, day, weekday, clock, zone)


def _clock(m: re.Match[str] | None) -> tuple[time, tzinfo | None]:
    """Return the time of day and any zone named; a bare date means the end of that day."""
    if m is None:
        return time(23, 59, 59), None
    zone = _ZONES[" ".join(m["zone"].upper().split())] if m["zone"] else None
    if m["word"]:
        # "midnight on 5 June" is read as the end of 5 June, which is what people mean.
        word = m["word"].lower()
        return (time(23, 59, 59) if word == "midnight" else time(12)), zone
    if m["h24"]:
        return time(int(m["h24"]), int(m["m24"])), zone
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if hour <= 12:
        hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
    return time(min(hour, 23), minute), zone


def _resolve(mention: _Mention, since: date, before: date | None = None) -> date:
    """Give a yearless date its year: first on/after publication, or last on/before `before`."""
    if mention.year is not None:
        return date(mention.year, mention.month, mention.day)
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


def _previous(best: _Mention, siblings: list[_Mention]) -> _Mention | None:
    """Return the date an extension replaced, when the same sentence names it."""
    olds = [m for m in siblings if m.old]
    if not olds and best.revised:
        olds = [m for m in siblings if m.pos < best.pos]
    if not olds:
        return None
    return min(olds, key=lambda m: abs(m.pos - best.pos))
