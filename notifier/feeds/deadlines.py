"""Read the comment deadline out of a consultation update's text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class FoundDeadline:
    """A comment deadline read from an update's text (stored as models.Deadline)."""

    at: datetime
    sentence: str
    weekday_mismatch: bool
    previous_at: datetime | None = None
    # Read from a date near weak cue words only ("by 3 June"): an admin should check it.
    low_confidence: bool = False


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Welsh Government and Welsh councils publish in Welsh too ("hanner nos ar 3 Mai 2016").
_MONTHS |= {
    m: i
    for i, m in enumerate(
        ["ion", "chw", "maw", "ebr", "mai", "meh", "gor", "aws", "med", "hyd", "tac", "rha"], 1
    )
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr)\b\.?"
)
_WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_ORD = r"(?:\s?(?:st|nd|rd|th)\b)?"  # "11th", and "11 th" as some pages split it

_DATE = re.compile(
    # Day-first dates may be glued to the word before ("Submissions due for draft guidance30
    # October 2024"); a month name or weekday must start a word ("Omar 5" is no date).
    rf"(?:\b(?P<wd>{_WEEKDAY}),?\s+(?:the\s+)?)?(?<!\d)(?:"
    r"(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)(?!\d)"
    rf"|(?P<xd>\d{{1,2}})-(?P<xm>{_MONTH})-(?P<xy>\d{{4}}|\d\d)(?!\d)"
    r"|(?P<nd>\d{1,2})(?P<sep>[/.])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d\d)(?![\d.]\d)"
    rf"|(?:the\s+)?(?P<dd>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<dm>{_MONTH})(?:,?\s+(?P<dy>{_YEAR}))?"
    rf"|\b(?P<mm>{_MONTH})\s+(?P<md>\d{{1,2}}){_ORD}(?![\d:]|\s*[ap]\.?m\b)(?:,?\s+(?P<my>{_YEAR}))?"
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
    "BRUSSELS TIME": ZoneInfo("Europe/Brussels"),
    "CHST": ZoneInfo("Pacific/Guam"),
    **dict.fromkeys(["AEST", "AEDT"], ZoneInfo("Australia/Sydney")),
    **dict.fromkeys(["NZST", "NZDT"], ZoneInfo("Pacific/Auckland")),
    **dict.fromkeys(["MT", "MST", "MDT"], ZoneInfo("America/Denver")),
    **dict.fromkeys(["AKT", "AKST", "AKDT"], ZoneInfo("America/Anchorage")),
    **dict.fromkeys(["HT", "HST"], ZoneInfo("Pacific/Honolulu")),
    # US abbreviations are used loosely (EST in July), so follow the local clock.
    **dict.fromkeys(["ET", "EST", "EDT"], ZoneInfo("America/New_York")),
    **dict.fromkeys(["CT", "CST", "CDT"], ZoneInfo("America/Chicago")),
    **dict.fromkeys(["PT", "PST", "PDT"], ZoneInfo("America/Los_Angeles")),
}
# Zone names as written: abbreviations, and "Eastern Daylight Time", "Pacific time", "5 p.m.
# Eastern", each mapped onto the abbreviation table above.
_ZONE = (
    r"(?P<zone>uk\s+time|london\s+time|brussels\s+time|utc|gmt|bst|cest|cet|edt|est|et|cdt|cst|ct"
    r"|mdt|mst|mt|pdt|pst|pt|akst|akdt|hst|chst|aest|aedt|nzst|nzdt|z"
    r"|(?P<region>eastern|central|mountain|pacific|alaska|hawaii)"
    r"(?:\s+(?:standard|daylight|prevailing))?(?:\s+time)?)\b"
)
_REGION = {
    "eastern": "ET",
    "central": "CT",
    "mountain": "MT",
    "pacific": "PT",
    "alaska": "AKT",
    "hawaii": "HT",
}
_TIME = (
    r"(?:(?:\b12\s+)?\b(?P<word>noon|midday|midnight|hanner\s+nos)\b"
    r"|(?<![\d:])(?P<h>\d{1,2})(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![\d:.])(?P<h24>[01]?\d|2[0-3])[:.](?P<m24>[0-5]\d)(?![\d.]\d)(?:\s*(?:hrs?|hours)\b)?)"
    r"(?:\s*[(\[]?\s*" + _ZONE + r"[)\]]?)?"
)
_TIME_BEFORE = re.compile(
    _TIME + r"(?:\s*\((?:noon|midday)\))?\s*,?\s*(?:deadline\s+)?(?:(?:on|of|ar)\s+)?(?:the\s+)?$",
    re.I,
)
_TIME_AFTER = re.compile(r"^\s*\)?\s*,?\s*(?:[(\[]|at\s+|by\s+|until\s+|T)?" + _TIME, re.I)
# A zone right after a bare date ("August 17, 2015 Eastern Daylight Time"): that day's end there.
_ZONE_AFTER = re.compile(r"^\s*,?\s*[(\[]?\s*" + _ZONE, re.I)
# What may sit between a time and the date it belongs to ("5pm on Friday 4 June").
_LABEL_TIME = re.compile(r"^\s*(?:by|at)?\s*" + _TIME, re.I)
_TO_NEXT_DATE = re.compile(r"\s*,?\s*(?:(?:on|of)\s+)?(?:the\s+)?")

# Weak cues only count right before the date ("by the end of", "until 5pm on"), because
# "by" further away usually belongs to something else ("published by the Cabinet Office on").
_WEAK = re.compile(
    r"(?:\b(?:until|till|by|before|(?:no|not)\s+later\s+than|due(?:\s+(?:on|by))?|through"
    r"|up\s+to(?:\s+and\s+including)?|(?:received|submitted|arriving)\s+after"
    r"|reach(?:ed)?\s+us(?:\s+(?:on|by))?|at\s+the\s+latest(?:\s+(?:on|by))?)\b"
    r"(?:\s*,?\s*\b(?:the|end|of|close|on|at|business|day|your|play)\b)*|\bto)\s*,?\s*$",
    re.I,
)
_STRONG = re.compile(
    r"\b(?:clos(?:e|es|ed|ing)(?!\s+(?:to|early)\b)|ends|end(?:s|ed|ing)?\s+on|will\s+(?:now\s+)?end"
    r"|(?:end|close)\s+date|expires?|deadline|extended|extension"
    r"|postponed|last\s+day|dyddiad\s+cau|open\s+for\s+(?:comments?|consultation|responses?)"
    r"|(?:finish|conclud)(?:ed|es)?\s+on|cut-?off(?:\s+date)?"
    r"|(?:comment|response|reply)\s+(?:due\s+)?dates?)\b"
    # Federal Register field labels, and the same fields flattened into feeds and YAML.
    r"|(?-i:\bDATES\s*:)|\bcomments?_(?:due|close)"
    # "Comments are due on or before", a timeline's "Submissions due for draft guidance".
    r"|\b(?:comments?|submissions?|responses?)\s+(?:are\s+)?due\b",
    re.I,
)
_SUFFIX_STRONG = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?,?\s*(?:[-–—:]\s*)?(?:is|will\s+be|as|has\s+been\s+set\s+as)?\s*"
    r"(?:the\s+)?(?:(?P<rev>(?:new|revised|final)\s+)?(?P<what>(?:[\w-]+\s+){0,3}?)"
    r"(?:closing\s+date|deadline)\b"
    r"|(?:last|final|closing)\s+day\b"
    # Timeline rows: "21-Dec-15 End of public comment", "23-Nov-15 ... comments ... due by".
    r"|(?:end|close)\s+of\s+(?:the\s+)?(?:public\s+)?(?:comment|consultation|feedback|submission)"
    r"|[^.;,\d]{0,60}?\b(?:comments?|submissions?|responses?)\b[^.;,\d]{0,40}?\bdue\b)",
    re.I,
)
_REVISED = re.compile(
    r"\b(?:revised|extended|extending|extension|new|postponed|moved|changed|amended|pushed\s+back"
    r"|rescheduled|correct(?:ed|ion)?|re-?opened|now\s+(?:end|close|run|expire)s?)\b",
    re.I,
)
_CONTEXT = re.compile(
    r"\b(?:comment|respon[sd]|feedback|consult|submi(?:t|ssion)|views\b|evidence|repl(?:y|ies)"
    r"|representation|input\b|questionnaire|survey|preferably|objection|tell\s+us"
    r"|have\s+your\s+say|let\s+us\s+know|received\b)",
    re.I,
)
# Events and such: a date right after one of these is the event's, unless a weak cue sits
# between them ("accepted after the public hearing until May 25").
_EVENT = re.compile(
    r"\b(?:meet(?:s|ing|ings)?|met|workshops?|events?|seminars?|webinars?|conferences?"
    r"|sessions?|hearings?|exhibition|round\s?table|drop-in|closures?)\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:publish(?:ed|es)?|publication|(?:was|were|been)\s+sent|since"
    r"|save\s+the\s+date|regist(?:er|ered|ration)|t(?:ake|akes|aking|ook)\s+place|launch(?:ed|es)?"
    r"|book(?:ing)?|attend|issued|released"
    r")\b",
    re.I,
)
_OLD_MARKER = re.compile(
    r"\b(?:previously|originally|original|initially|formerly|instead\s+of|rather\s+than)\s*:?\s*$",
    re.I,
)
# "was scheduled to close on", "were to have closed on", "originally set for": a date the
# text goes on to replace.
_WAS = re.compile(
    r"\b(?:(?:was|were)\s+(?:(?:initially|originally|previously)\s+)?(?:scheduled|due|supposed"
    r"|set|to\s+(?:have\s+)?(?:clos(?:e|ed)|end(?:ed)?|be))|originally|initially)\b",
    re.I,
)
_EVENT_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?" + _EVENT.pattern, re.I)
# Grant rounds, funding and their decisions: applicants' deadlines, not comments.
_SOMEONE_ELSE = re.compile(
    r"\b(?:grant\s+(?:applications?|rounds?)|grantees?|funding\s+rounds?|funds\s+disbursed"
    r"|applications?\s+(?:must|are|may|will|deadlines?)|decisions?\s+will\s+be\s+announced)\b",
    re.I,
)
_CONSULTATION_HAPPENED = re.compile(
    r"\b(?:consultations?|surveys?|engagement)\b[^.;]{0,60}?\b(?:took\s+place|held|ran)\b", re.I
)
# Said of a deadline already past ("the cut-off date of 31st of May" in a piece published in
# June, "closed on 12th November"): a yearless date is then the last one before publication.
_PAST = re.compile(
    r"\b(?:(?<!to\s)(?:has|have|had)\s+(?:now\s+)?(?:closed|ended|finished)"
    r"|were\s+(?:mailed|posted|received|sent))\b",
    re.I,
)
_AFTER = re.compile(r"\bafter\s*$", re.I)
_FROM = re.compile(r"\b(?:from|between|was)\s*$", re.I)
_RANGE_JOIN = re.compile(r"^\s*,?\s*(?:(?P<dash>-|–|—|→)|to|until|till|through|and)\s*$", re.I)
# Publishing something "by" a date is a promise, not a comment deadline.
_PUBLISHING = re.compile(r"\b(?:publish|publication|announce|finali[sz])", re.I)
# Said of a date nobody has fixed yet, or of one that comes round every year.
_HEDGE = re.compile(
    r"\b(?:likely|not\s+(?:yet\s+)?(?:been\s+)?confirmed|to\s+be\s+confirmed|every\s+year)\b",
    re.I,
)
# "Starting 11 August, the deadline ... will be": the day something begins.
_START = re.compile(r"\b(?:starting|beginning|commencing|effective)\s*$", re.I)
# "initially supposed to end on Tuesday, September 4, but has since been extended by a week".
_EXTENDED_BY = re.compile(
    r"\bextended\s+(?:by|for)\s+(?:an?\s+(?:further|additional|extra)?\s*|one\s+|"
    r"(?P<n>two|three|four|five|six|\d{1,2})\s+(?:(?:further|additional|extra)\s+)?)"
    r"(?P<unit>day|week)s?\b",
    re.I,
)
_WEEK_ELSEWHERE = re.compile(r"\b(?:next|this|last)\s+week\b", re.I)
# The second round of US comments ("reply comments are due on or before May 20").
_REPLY = re.compile(r"\brepl(?:y|ies)\b", re.I)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# Words that make a key-dates label about some other time ("submissions close next week").
_LABEL_ELSEWHERE = re.compile(r"\b(?:next|this|last)\s+week\b|\btoday\b|\btomorrow\b", re.I)
_EXTENSION = re.compile(
    r"\b(?:exten(?:d|sion)|postpone|moved|changed|revised|correct|re-?open)", re.I
)
# Quotes, brackets and "tomorrow (" between a cue and its date: "corrected to “April 9”".
_LEAD_NOISE = re.compile(r"(?:\b(?:tomorrow|today|tonight)\b)?[\s“”\"'‘’`(\[]*$", re.I)
_RELATIVE = re.compile(
    rf"\b(?:(?P<rel>tomorrow|today|tonight)|(?:the\s+)?end\s+of\s+(?:the|this)\s+month"
    rf"|(?:next\s+)?(?P<wd>{_WEEKDAY}))",
    re.I,
)
_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
_ABBREV = re.compile(
    r"\b(?:[ap]\.m|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mon|tues?|wed|thu(?:rs)?|fri|sat|sun|mrs?|ms|dr|st|nos?"
    r"|e\.g|i\.e|etc|cf|vs)\.$",
    re.I,
)
_CONTINUES = re.compile(rf"[a-z0-9]|(?i:{_WEEKDAY}|{_MONTH})")
# A line that is nothing but a date or a range of dates: a "key dates" row whose label is
# on the next line ("12 June 2019" / "Deadline for community comments on the budget").
_DATES_ONLY = re.compile(rf"(?:\s|[-–—→]|to|{_DATE.pattern})+", re.I)


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
    # "tomorrow", "today", "tonight", "month" (its end) or "weekday": read from publication.
    relative: str | None = None
    # Days added to the written date ("extended by a week" from it).
    shift: int = 0
    reply: bool = False
    past: bool = False


def find_deadline(text: str, published: datetime, tz: ZoneInfo) -> FoundDeadline | None:
    """Return the comment deadline named in text (an update's title + plain text), or None."""
    if published.tzinfo is None:
        published = published.replace(tzinfo=tz)
    since = published.astimezone(tz).date()
    found: list[tuple[str, _Mention, list[_Mention]]] = []
    olds: list[tuple[str, _Mention, list[_Mention]]] = []
    previous_context = False
    for sentence in _sentences(text):
        mentions = _scan(sentence, previous_context)
        found += [(sentence, m, mentions) for m in mentions if not m.old]
        olds += [(sentence, m, mentions) for m in mentions if m.old]
        previous_context = bool(_CONTEXT.search(sentence))
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
    strong = [f for f in strong if _CONTEXT.search(f[0])] + [
        f for f in strong if not _CONTEXT.search(f[0])
    ]
    if not revised and len(strong) > 1 and _EXTENSION.search(text):
        # An extension notice whose new date carries no word of its own ("DATES: Comments
        # must be received by March 1"): the latest deadline it names is the new one.
        sentence, best, siblings = max(strong, key=lambda f: (_resolve(f[1], since), f[1].pos))
    else:
        sentence, best, siblings = revised[-1] if revised else (strong or found)[0]
    day = _resolve(best, since)
    if best.clock == time(23, 59, 59) and best.zone is None:
        # "between 14th October and 23rd December ... accepted up to 12pm (Noon) on 23rd
        # December": the time given for that day elsewhere in the text is its deadline.
        timed = [
            f[1] for f in found if f[1].clock != time(23, 59, 59) and _resolve(f[1], since) == day
        ]
        if timed:
            best = replace(best, clock=timed[0].clock, zone=timed[0].zone)
    at = datetime.combine(day, best.clock, best.zone or tz).astimezone(UTC)
    previous = _previous(best, siblings)
    previous_at = None
    if previous:
        old_day = _resolve(previous, since, before=day)
        old_at = datetime.combine(old_day, previous.clock, previous.zone or tz)
        previous_at = old_at.astimezone(UTC)
    written = day - timedelta(days=best.shift)
    mismatch = (
        best.weekday is not None and best.relative is None and best.weekday != written.weekday()
    )
    return FoundDeadline(at, sentence, mismatch, previous_at, low_confidence=not best.strong)


def _sentences(text: str) -> list[str]:
    """Split text into whitespace-collapsed sentences, keeping wrapped lines together."""
    out, start = [], 0
    for br in _BREAK.finditer(text):
        before, after = text[start : br.start()], text[br.end() :]
        line = before[before.rfind("\n") + 1 :]
        if "\n" in br.group() and before[-1:] == ":" and len(line) < 40:
            continue  # a field label and its value: "DATES:\nComments must be received by ..."
        if "\n" in br.group() and br.group().count("\n") < 2 and before[-1:] not in ".!?:;|":
            # A lone line break mid-phrase is wrapping ("comments by\n3 June"), not a new sentence;
            # so is one after a long line of prose ("the Paperwork\nReduction Act").
            if before[-1:].isalnum() and (
                _CONTINUES.match(after) or (len(line) >= 40 and after[:1].isalnum())
            ):
                continue
        elif "\n" not in br.group() and (_ABBREV.search(before) or not after[:1].isupper()):
            continue
        out.append(before)
        start = br.end()
    out.append(text[start:])
    sentences = [s for s in (" ".join(s.split()) for s in out) if s]

    # Key-dates rows: a line holding only dates takes its label from the line after it.
    def dates_only(s: str) -> bool:
        return bool(_DATES_ONLY.fullmatch(s) and _DATE.search(s))

    def label(s: str) -> bool:
        return not _DATE.search(s) and not _LABEL_ELSEWHERE.search(s)

    # A list that starts with a date has its labels below the dates, else above them.
    below = bool(sentences) and dates_only(sentences[0])
    merged: list[str] = []
    i = 0
    while i < len(sentences):
        s = sentences[i]
        nxt = sentences[i + 1] if i + 1 < len(sentences) else None
        if nxt and below and dates_only(s) and label(nxt):
            merged.append(f"{nxt.rstrip('.')}: {s}")
            i += 2
        elif nxt and not below and label(s) and dates_only(nxt):
            merged.append(f"{s.rstrip('.:')}: {nxt}")
            i += 2
        else:
            merged.append(s)
            i += 1
    return merged


def _scan(sentence: str, previous_context: bool = False) -> list[_Mention]:
    """Return the deadline candidates and superseded dates named in one sentence."""
    dates = list(_DATE.finditer(sentence))
    if _HEDGE.search(sentence) or _SOMEONE_ELSE.search(sentence):
        return []
    if not dates:
        return _scan_relative(sentence, previous_context)
    has_context = bool(_CONTEXT.search(sentence)) or previous_context
    has_negative = bool(_NEGATIVE.search(sentence) or _EVENT.search(sentence))
    extension = bool(_EXTENSION.search(sentence))
    out: list[_Mention] = []
    # A strong cue whose first date proved to be something else ("closing date for the
    # paper published on 3 March is ...") still governs the next date.
    pending: tuple[int, bool] | None = None
    seg_start, period_end, period_lead, period_event = 0, False, "", False
    for i, m in enumerate(dates):
        seg = sentence[seg_start : m.start()]
        end = dates[i + 1].start() if i + 1 < len(dates) else len(sentence)
        after = sentence[m.end() : end]
        clock_m = _TIME_BEFORE.search(seg)
        lead = seg[: clock_m.start()] if clock_m else seg
        tail = 0
        if not clock_m and (clock_m := _TIME_AFTER.match(after)):
            # "from 4 May until 5pm on Friday 4 June": that time is the next date's.
            if i + 1 < len(dates) and _TO_NEXT_DATE.fullmatch(after[clock_m.end() :]):
                clock_m = None
            else:
                tail = clock_m.end()
        zone_m = None if clock_m else _ZONE_AFTER.match(after)
        if zone_m:
            tail = zone_m.end()
        seg_start = m.end() + tail
        mention = _parse(m, clock_m, zone_m)
        if mention is None:
            continue
        lead = _LEAD_NOISE.sub(" ", lead)
        is_old = bool(_OLD_MARKER.search(lead) or _WAS.search(lead)) or (
            extension and bool(_FROM.search(lead))
        )
        join = _RANGE_JOIN.match(after[tail:])
        starts_period = bool(
            join
            and i + 1 < len(dates)
            and (join.group().strip().lower() != "and" or _FROM.search(lead))
        )
        ends_period, period_end = period_end, starts_period
        if cue := list(_STRONG.finditer(seg)):
            pending = (cue[-1].end(), bool(_REVISED.search(seg)))
        elif pending:
            pending = (0, pending[1])
        if is_old:
            # "given the scheduled city office closure from Dec. 26 through Jan. 2": the period
            # that follows belongs to the event named right before it.
            period_event = bool(starts_period and _EVENT.search(lead[-40:]))
            mention.old = True
            mention.strong = (bool(pending) or bool(_WEAK.search(lead))) and not period_event
            out.append(mention)
            continue
        if starts_period:
            period_lead = seg
            continue
        if _START.search(lead):
            continue
        # A range's end is judged with the words before its start ("sessions April 18-May 2").
        judged = period_lead + " " + seg if ends_period else seg
        # "Formal consultations ... took place between": the consultation is what took place.
        judged = _CONSULTATION_HAPPENED.sub(lambda h: " " * len(h.group()), judged)
        suffix = _SUFFIX_STRONG.match(after[tail:])
        weak = bool(_WEAK.search(lead)) or ends_period
        offset = len(period_lead) + 1 if ends_period else 0
        anchor = max(
            [pending[0] + offset if pending else -1] + [c.end() for c in _CONTEXT.finditer(judged)]
        )
        blocked = any(n.start() >= anchor for n in _NEGATIVE.finditer(judged)) or (
            (ends_period or not _WEAK.search(lead))
            and any(n.start() >= anchor for n in _EVENT.finditer(judged))
        )
        # "notified of the application after Dec. 20": not a deadline, unless it is one
        # ("comments received after 5 May").
        blocked = blocked or bool(_AFTER.search(lead) and not weak)
        # "Plan submissions close next week 26.07.2016": the cue is about next week.
        blocked = blocked or bool(_WEEK_ELSEWHERE.search(lead) and not weak)
        # A label after the date says what it is, whatever came before ("the handover will
        # take place on August 16th – the last day of the consultation").
        blocked = blocked and not suffix
        blocked = (
            blocked or bool(_EVENT_AFTER.match(after[tail:])) or (ends_period and period_event)
        )
        # "This extension is based on the fact that the rule will not be finalized until ...".
        blocked = blocked or any(n.start() >= anchor for n in _PUBLISHING.finditer(judged))
        strong = bool(pending or suffix)
        if not (strong or weak) or blocked or (not strong and _PUBLISHING.search(judged)):
            continue
        if not (has_context or (strong and not has_negative)):
            continue
        # "comments ... due by 23:59 UTC": a timeline row's time follows its label.
        if suffix and not clock_m and (late := _LABEL_TIME.match(after[tail + suffix.end() :])):
            mention.clock, mention.zone = _clock(late)
        mention.strong = strong
        mention.past = bool(_PAST.search(sentence))
        # Only the words right before the date, or the label after it, say it is the reply
        # period's ("establishing November 28 as the new comment filing deadline and ...").
        mention.reply = bool(
            _REPLY.search(lead.rsplit(",", 1)[-1])
            or (suffix and _REPLY.search(suffix["what"] or ""))
        )
        mention.revised = bool(
            (pending and pending[1])
            or (suffix and suffix["rev"])
            or _REVISED.search(seg)
            or any(o.old for o in out)
        )
        pending = None
        period_lead = ""
        out.append(mention)
    if (by := _EXTENDED_BY.search(sentence)) and out and not any(not o.old for o in out):
        old = max(out, key=lambda o: o.pos)
        n = _NUMBERS.get((by["n"] or "").lower()) or int(by["n"] or 1)
        days = n * (7 if by["unit"].lower() == "week" else 1)
        out.append(replace(old, old=False, strong=True, revised=True, shift=days))
    return out


def _scan_relative(sentence: str, previous_context: bool) -> list[_Mention]:
    """Read "until tomorrow", "comes to an end on Tuesday", "until the end of the month"."""
    for m in _RELATIVE.finditer(sentence):
        lead = sentence[: m.start()]
        strong = bool(_STRONG.search(lead))
        # "by Friday" alone is too loose to trust; "comes to an end on Tuesday" is not.
        if not (strong or (_WEAK.search(lead) and not m["wd"])):
            continue
        if not (strong or _CONTEXT.search(sentence) or previous_context):
            continue
        if _NEGATIVE.search(sentence) or _EVENT.search(lead):
            continue
        kind = (m["rel"] or ("weekday" if m["wd"] else "month")).lower()
        weekday = (
            ["mo", "tu", "we", "th", "fr", "sa", "su"].index(m["wd"][:2].lower())
            if m["wd"]
            else None
        )
        clock_m = _TIME_AFTER.match(sentence[m.end() :])
        clock, zone = _clock(clock_m)
        return [_Mention(m.start(), None, 0, 0, weekday, clock, zone, strong=strong, relative=kind)]
    return []


def _parse(
    m: re.Match[str], clock_m: re.Match[str] | None, zone_m: re.Match[str] | None = None
) -> _Mention | None:
    """Turn a date match (and its time, if any) into a mention, or None if no such day exists."""
    g = m.groupdict()
    if g["iy"]:
        year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["xd"]:
        year, month, day = int(g["xy"]), _MONTHS[g["xm"][:3].lower()], int(g["xd"])
        year += 2000 if year < 100 else 0
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
    if zone_m:
        zone = _zone(zone_m)
    return _Mention(m.start(), year, month, day, weekday, clock, zone)


def _zone(m: re.Match[str]) -> tzinfo | None:
    if m["region"]:
        return _ZONES[_REGION[m["region"].lower()]]
    return _ZONES[" ".join(m["zone"].upper().split())] if m["zone"] else None


def _clock(m: re.Match[str] | None) -> tuple[time, tzinfo | None]:
    """Return the time of day and any zone named; a bare date means the end of that day."""
    if m is None:
        return time(23, 59, 59), None
    zone = _zone(m)
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


def _resolve(mention: _Mention, since: date, before: date | None = None) -> date:
    """Give a yearless date its year: first on/after publication, or last on/before `before`."""
    if mention.shift:
        return _resolve(replace(mention, shift=0), since, before) + timedelta(days=mention.shift)
    if mention.relative:
        return _resolve_relative(mention, since)
    if mention.year is not None:
        return date(mention.year, mention.month, mention.day)
    if mention.past and before is None and mention.weekday is None:
        return _resolve(replace(mention, past=False), since, before=since)
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


def _resolve_relative(mention: _Mention, since: date) -> date:
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


def _previous(best: _Mention, siblings: list[_Mention]) -> _Mention | None:
    """Return the date an extension replaced, when the same sentence names it."""
    olds = [m for m in siblings if m.old]
    if not olds and best.revised:
        olds = [m for m in siblings if m.pos < best.pos]
    if not olds:
        return None
    return min(olds, key=lambda m: abs(m.pos - best.pos))
