"""Find the deadline candidates, and the dates they replace, in one sentence."""

from __future__ import annotations

from dataclasses import replace

from notifier.feeds.deadlines.cues import (
    AFTER,
    CONSULTATION_HAPPENED,
    CONTEXT,
    EVENT,
    EVENT_AFTER,
    EXTENDED_BY,
    EXTENSION,
    FROM,
    HEDGE,
    LEAD_NOISE,
    NEGATIVE,
    NUMBERS,
    OLD_MARKER,
    PAST,
    PUBLISHING,
    RANGE_JOIN,
    REPLY,
    REVISED,
    SOMEONE_ELSE,
    START,
    STRONG,
    SUFFIX_STRONG,
    WAS,
    WEAK,
    WEEK_ELSEWHERE,
)
from notifier.feeds.deadlines.grammar import (
    DATE,
    LABEL_TIME,
    RELATIVE,
    TIME_AFTER,
    TIME_BEFORE,
    TO_NEXT_DATE,
    ZONE_AFTER,
)
from notifier.feeds.deadlines.mentions import Mention, parse_date, read_clock, weekday_number


def scan_sentence(sentence: str, previous_context: bool = False) -> list[Mention]:
    """Return the deadline candidates and superseded dates named in one sentence."""
    dates = list(DATE.finditer(sentence))
    if HEDGE.search(sentence) or SOMEONE_ELSE.search(sentence):
        return []
    if not dates:
        return scan_relative(sentence, previous_context)
    has_context = bool(CONTEXT.search(sentence)) or previous_context
    has_negative = bool(NEGATIVE.search(sentence) or EVENT.search(sentence))
    extension = bool(EXTENSION.search(sentence))
    out: list[Mention] = []
    # A strong cue whose first date proved to be something else ("closing date for the
    # paper published on 3 March is ...") still governs the next date.
    pending: tuple[int, bool] | None = None
    seg_start, period_end, period_lead, period_event = 0, False, "", False
    for i, m in enumerate(dates):
        seg = sentence[seg_start : m.start()]
        end = dates[i + 1].start() if i + 1 < len(dates) else len(sentence)
        after = sentence[m.end() : end]
        clock_m = TIME_BEFORE.search(seg)
        lead = seg[: clock_m.start()] if clock_m else seg
        tail = 0
        if not clock_m and (clock_m := TIME_AFTER.match(after)):
            # "from 4 May until 5pm on Friday 4 June": that time is the next date's.
            if i + 1 < len(dates) and TO_NEXT_DATE.fullmatch(after[clock_m.end() :]):
                clock_m = None
            else:
                tail = clock_m.end()
        zone_m = None if clock_m else ZONE_AFTER.match(after)
        if zone_m:
            tail = zone_m.end()
        seg_start = m.end() + tail
        mention = parse_date(m, clock_m, zone_m)
        if mention is None:
            continue
        lead = LEAD_NOISE.sub(" ", lead)
        is_old = bool(OLD_MARKER.search(lead) or WAS.search(lead)) or (
            extension and bool(FROM.search(lead))
        )
        join = RANGE_JOIN.match(after[tail:])
        starts_period = bool(
            join
            and i + 1 < len(dates)
            and (join.group().strip().lower() != "and" or FROM.search(lead))
        )
        ends_period, period_end = period_end, starts_period
        if cue := list(STRONG.finditer(seg)):
            pending = (cue[-1].end(), bool(REVISED.search(seg)))
        elif pending:
            pending = (0, pending[1])
        if is_old:
            # "given the scheduled city office closure from Dec. 26 through Jan. 2": the period
            # that follows belongs to the event named right before it.
            period_event = bool(starts_period and EVENT.search(lead[-40:]))
            mention.old = True
            mention.strong = (bool(pending) or bool(WEAK.search(lead))) and not period_event
            out.append(mention)
            continue
        if starts_period:
            period_lead = seg
            continue
        if START.search(lead):
            continue
        # A range's end is judged with the words before its start ("sessions April 18-May 2").
        judged = period_lead + " " + seg if ends_period else seg
        # "Formal consultations ... took place between": the consultation is what took place.
        judged = CONSULTATION_HAPPENED.sub(lambda h: " " * len(h.group()), judged)
        suffix = SUFFIX_STRONG.match(after[tail:])
        weak = bool(WEAK.search(lead)) or ends_period
        offset = len(period_lead) + 1 if ends_period else 0
        anchor = max(
            [pending[0] + offset if pending else -1] + [c.end() for c in CONTEXT.finditer(judged)]
        )
        blocked = any(n.start() >= anchor for n in NEGATIVE.finditer(judged)) or (
            (ends_period or not WEAK.search(lead))
            and any(n.start() >= anchor for n in EVENT.finditer(judged))
        )
        # "notified of the application after Dec. 20": not a deadline, unless it is one
        # ("comments received after 5 May").
        blocked = blocked or bool(AFTER.search(lead) and not weak)
        # "Plan submissions close next week 26.07.2016": the cue is about next week.
        blocked = blocked or bool(WEEK_ELSEWHERE.search(lead) and not weak)
        # A label after the date says what it is, whatever came before ("the handover will
        # take place on August 16th – the last day of the consultation").
        blocked = blocked and not suffix
        blocked = blocked or bool(EVENT_AFTER.match(after[tail:])) or (ends_period and period_event)
        # "This extension is based on the fact that the rule will not be finalized until ...".
        blocked = blocked or any(n.start() >= anchor for n in PUBLISHING.finditer(judged))
        strong = bool(pending or suffix)
        if not (strong or weak) or blocked or (not strong and PUBLISHING.search(judged)):
            continue
        if not (has_context or (strong and not has_negative)):
            continue
        # "comments ... due by 23:59 UTC": a timeline row's time follows its label.
        if suffix and not clock_m and (late := LABEL_TIME.match(after[tail + suffix.end() :])):
            mention.clock, mention.zone = read_clock(late)
        mention.strong = strong
        mention.past = bool(PAST.search(sentence))
        # Only the words right before the date, or the label after it, say it is the reply
        # period's ("establishing November 28 as the new comment filing deadline and ...").
        mention.reply = bool(
            REPLY.search(lead.rsplit(",", 1)[-1]) or (suffix and REPLY.search(suffix["what"] or ""))
        )
        mention.revised = bool(
            (pending and pending[1])
            or (suffix and suffix["rev"])
            or REVISED.search(seg)
            or any(o.old for o in out)
        )
        pending = None
        period_lead = ""
        out.append(mention)
    if (by := EXTENDED_BY.search(sentence)) and out and not any(not o.old for o in out):
        old = max(out, key=lambda o: o.pos)
        n = NUMBERS.get((by["n"] or "").lower()) or int(by["n"] or 1)
        days = n * (7 if by["unit"].lower() == "week" else 1)
        out.append(replace(old, old=False, strong=True, revised=True, shift=days))
    return out


def scan_relative(sentence: str, previous_context: bool) -> list[Mention]:
    """Read "until tomorrow", "comes to an end on Tuesday", "until the end of the month"."""
    for m in RELATIVE.finditer(sentence):
        lead = sentence[: m.start()]
        strong = bool(STRONG.search(lead))
        # "by Friday" alone is too loose to trust; "comes to an end on Tuesday" is not.
        if not (strong or (WEAK.search(lead) and not m["wd"])):
            continue
        if not (strong or CONTEXT.search(sentence) or previous_context):
            continue
        if NEGATIVE.search(sentence) or EVENT.search(lead):
            continue
        kind = (m["rel"] or ("weekday" if m["wd"] else "month")).lower()
        weekday = weekday_number(m["wd"]) if m["wd"] else None
        clock_m = TIME_AFTER.match(sentence[m.end() :])
        clock, zone = read_clock(clock_m)
        return [Mention(m.start(), None, 0, 0, weekday, clock, zone, strong=strong, relative=kind)]
    return []
