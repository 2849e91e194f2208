"""How dates, times and time zones are written, as the reader matches them."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Welsh Government and Welsh councils publish in Welsh too ("hanner nos ar 3 Mai 2016").
MONTHS |= {
    m: i
    for i, m in enumerate(
        ["ion", "chw", "maw", "ebr", "mai", "meh", "gor", "aws", "med", "hyd", "tac", "rha"], 1
    )
}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr)\b\.?"
)
WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
YEAR = r"(?:19|20)\d{2}(?!\d)"
ORD = r"(?:\s?(?:st|nd|rd|th)\b)?"  # "11th", and "11 th" as some pages split it

DATE = re.compile(
    # Day-first dates may be glued to the word before ("Submissions due for draft guidance30
    # October 2024"); a month name or weekday must start a word ("Omar 5" is no date).
    rf"(?:\b(?P<wd>{WEEKDAY}),?\s+(?:the\s+)?)?(?<!\d)(?:"
    r"(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)(?!\d)"
    rf"|(?P<xd>\d{{1,2}})-(?P<xm>{MONTH})-(?P<xy>\d{{4}}|\d\d)(?!\d)"
    r"|(?P<nd>\d{1,2})(?P<sep>[/.])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d\d)(?![\d.]\d)"
    rf"|(?:the\s+)?(?P<dd>\d{{1,2}}){ORD}(?:\s+of)?\s+(?P<dm>{MONTH})(?:,?\s+(?P<dy>{YEAR}))?"
    rf"|\b(?P<mm>{MONTH})\s+(?P<md>\d{{1,2}}){ORD}(?![\d:]|\s*[ap]\.?m\b)(?:,?\s+(?P<my>{YEAR}))?"
    r")",
    re.I,
)

ZONES: dict[str, tzinfo] = {
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
ZONE = (
    r"(?P<zone>uk\s+time|london\s+time|brussels\s+time|utc|gmt|bst|cest|cet|edt|est|et|cdt|cst|ct"
    r"|mdt|mst|mt|pdt|pst|pt|akst|akdt|hst|chst|aest|aedt|nzst|nzdt|z"
    r"|(?P<region>eastern|central|mountain|pacific|alaska|hawaii)"
    r"(?:\s+(?:standard|daylight|prevailing))?(?:\s+time)?)\b"
)
REGION = {
    "eastern": "ET",
    "central": "CT",
    "mountain": "MT",
    "pacific": "PT",
    "alaska": "AKT",
    "hawaii": "HT",
}
TIME = (
    r"(?:(?:\b12\s+)?\b(?P<word>noon|midday|midnight|hanner\s+nos)\b"
    r"|(?<![\d:])(?P<h>\d{1,2})(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![\d:.])(?P<h24>[01]?\d|2[0-3])[:.](?P<m24>[0-5]\d)(?![\d.]\d)(?:\s*(?:hrs?|hours)\b)?)"
    r"(?:\s*[(\[]?\s*" + ZONE + r"[)\]]?)?"
)
TIME_BEFORE = re.compile(
    TIME + r"(?:\s*\((?:noon|midday)\))?\s*,?\s*(?:deadline\s+)?(?:(?:on|of|ar)\s+)?(?:the\s+)?$",
    re.I,
)
TIME_AFTER = re.compile(r"^\s*\)?\s*,?\s*(?:[(\[]|at\s+|by\s+|until\s+|T)?" + TIME, re.I)
# A zone right after a bare date ("August 17, 2015 Eastern Daylight Time"): that day's end there.
ZONE_AFTER = re.compile(r"^\s*,?\s*[(\[]?\s*" + ZONE, re.I)
# What may sit between a time and the date it belongs to ("5pm on Friday 4 June").
LABEL_TIME = re.compile(r"^\s*(?:by|at)?\s*" + TIME, re.I)
TO_NEXT_DATE = re.compile(r"\s*,?\s*(?:(?:on|of)\s+)?(?:the\s+)?")
RELATIVE = re.compile(
    rf"\b(?:(?P<rel>tomorrow|today|tonight)|(?:the\s+)?end\s+of\s+(?:the|this)\s+month"
    rf"|(?:next\s+)?(?P<wd>{WEEKDAY}))",
    re.I,
)
