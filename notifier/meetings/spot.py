"""Spot meetings in an update: rows naming a strand, a date and a time range.

The consultation announces meetings as a table ("Strand | topic", "23 April, 1000-1200",
a registration link). Each row that reads as one is a proposal, never a published meeting:
an admin confirms it. Pure functions: text in, proposals out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from html.parser import HTMLParser

from notifier.feeds.strands import normalise

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_CLOCK = r"(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?"
ROW = re.compile(
    rf"(?P<label>.*?)\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?(?:\s+(?P<year>\d{{4}}))?"
    rf",?\s+(?:from\s+)?(?P<start>{_CLOCK})\s*(?:-|–|—|to)\s*(?P<end>{_CLOCK})",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Proposal:
    strand_slug: str | None
    title: str
    starts_at: datetime
    ends_at: datetime
    registration_url: str | None
    source_key: str
    source_text: str


class _Rows(HTMLParser):
    """Table rows as (text, links); anything outside a table is ignored here."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, list[str]]] = []
        self._cells: list[str] | None = None
        self._links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._cells, self._links = [], []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")
        elif tag == "a" and self._cells is not None:
            href = dict(attrs).get("href") or ""
            if URL.fullmatch(href):
                self._links.append(href)

    def handle_endtag(self, tag):
        if tag == "tr" and self._cells is not None:
            self.rows.append((" ".join(c.strip() for c in self._cells), self._links))
            self._cells = None

    def handle_data(self, data):
        if self._cells:
            self._cells[-1] += data


def _clock(text: str) -> time | None:
    """'1000', '10:00', '10.30', '10am', '2pm' as a time of day; None if it is none."""
    found = re.fullmatch(r"(\d{1,4})(?:[:.](\d{2}))?\s*(am|pm)?", text.strip(), re.IGNORECASE)
    if not found:
        return None
    digits, minute, half = found.groups()
    if minute is None and len(digits) in (3, 4):  # 24-hour "1000"
        digits, minute = digits[:-2], digits[-2:]
    elif len(digits) > 2:
        return None
    hour, minute = int(digits), int(minute or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _times(match: re.Match) -> tuple[time, time] | None:
    start, end = _clock(match.group("start")), _clock(match.group("end"))
    if start is None or end is None or end <= start:
        return None
    return start, end


def _day(match: re.Match, published: date) -> date | None:
    month, day = MONTHS[match.group("month").lower().rstrip(".")], int(match.group("day"))
    year = int(match.group("year")) if match.group("year") else published.year
    try:
        when = date(year, month, day)
        if not match.group("year") and when < published:
            # A date without a year is the first such date after the update was published.
            when = date(year + 1, month, day)
    except ValueError:
        return None
    return when


def _strand(label: str, strands: list[tuple[str, str]]) -> tuple[str | None, str]:
    """(slug, topic) for a row label like 'Research & Statistics | ONS'."""
    head, _, topic = label.partition("|")
    wanted = normalise(head)
    for slug, name in strands:
        if wanted in (normalise(name), normalise(slug)):
            return slug, topic.strip()
    # The strand may be named without a separator: the longest name the label starts with.
    for slug, name in sorted(strands, key=lambda s: -len(s[1])):
        if normalise(label).startswith(normalise(name)):
            return slug, label[len(name) :].strip(" |:-–")
    return None, label.strip(" |:-–")


def _candidates(html: str, text: str) -> list[tuple[str, list[str]]]:
    parser = _Rows()
    parser.feed(html or "")
    if parser.rows:
        return parser.rows
    return [(line, URL.findall(line)) for line in (text or "").splitlines() if line.strip()]


def spot_meetings(
    html: str,
    text: str,
    published: datetime,
    tz: tzinfo,
    strands: list[tuple[str, str]],
) -> list[Proposal]:
    """Every row of the update that names a date and a time range, as a proposal.

    strands are (slug, name) pairs; times are read in tz (the site's zone).
    """
    published_day = published.astimezone(tz).date()
    proposals = []
    for row, links in _candidates(html, text):
        clean = " ".join(URL.sub(" ", row).split())
        match = ROW.search(clean)
        if not match:
            continue
        day, times = _day(match, published_day), _times(match)
        if day is None or times is None:
            continue
        slug, topic = _strand(match.group("label"), strands)
        name = dict(strands).get(slug) if slug else None
        base = f"{name} working group" if name else "Working group meeting"
        title = f"{base}: {topic}" if topic else base
        start = datetime.combine(day, times[0], tz)
        end = datetime.combine(day, times[1], tz)
        link = links[0] if links else (URL.findall(row) or [None])[0]
        key = hashlib.sha256(f"{slug}|{topic}|{start.isoformat()}|{end.isoformat()}".encode())
        proposals.append(
            Proposal(slug, title, start, end, link, key.hexdigest()[:40], row.strip()[:1000])
        )
    return proposals
