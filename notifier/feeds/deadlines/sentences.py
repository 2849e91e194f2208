"""Split an update's text into the sentences the reader judges one at a time."""

from __future__ import annotations

import re

from notifier.feeds.deadlines.grammar import DATE, MONTH, WEEKDAY

BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
ABBREV = re.compile(
    r"\b(?:[ap]\.m|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mon|tues?|wed|thu(?:rs)?|fri|sat|sun|mrs?|ms|dr|st|nos?"
    r"|e\.g|i\.e|etc|cf|vs)\.$",
    re.I,
)
# Words that make a key-dates label about some other time ("submissions close next week").
LABEL_ELSEWHERE = re.compile(r"\b(?:next|this|last)\s+week\b|\btoday\b|\btomorrow\b", re.I)
CONTINUES = re.compile(rf"[a-z0-9]|(?i:{WEEKDAY}|{MONTH})")
# A line that is nothing but a date or a range of dates: a "key dates" row whose label is
# on the next line ("12 June 2019" / "Deadline for community comments on the budget").
DATES_ONLY = re.compile(rf"(?:\s|[-–—→]|to|{DATE.pattern})+", re.I)


def split_sentences(text: str) -> list[str]:
    """Split text into whitespace-collapsed sentences, keeping wrapped lines together."""
    out, start = [], 0
    for br in BREAK.finditer(text):
        before, after = text[start : br.start()], text[br.end() :]
        line = before[before.rfind("\n") + 1 :]
        if "\n" in br.group() and before[-1:] == ":" and len(line) < 40:
            continue  # a field label and its value: "DATES:\nComments must be received by ..."
        if "\n" in br.group() and br.group().count("\n") < 2 and before[-1:] not in ".!?:;|":
            # A lone line break mid-phrase is wrapping ("comments by\n3 June"), not a new sentence;
            # so is one after a long line of prose ("the Paperwork\nReduction Act").
            if before[-1:].isalnum() and (
                CONTINUES.match(after) or (len(line) >= 40 and after[:1].isalnum())
            ):
                continue
        elif "\n" not in br.group() and (ABBREV.search(before) or not after[:1].isupper()):
            continue
        out.append(before)
        start = br.end()
    out.append(text[start:])
    sentences = [s for s in (" ".join(s.split()) for s in out) if s]

    # Key-dates rows: a line holding only dates takes its label from the line after it.
    def dates_only(s: str) -> bool:
        return bool(DATES_ONLY.fullmatch(s) and DATE.search(s))

    def label(s: str) -> bool:
        return not DATE.search(s) and not LABEL_ELSEWHERE.search(s)

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
