"""Measure dateparser and dateutil alone on the deadline corpus, for comparison with our reader.

Not part of the service: run it in a throwaway venv with both libraries installed, e.g.
    python3 -m venv /tmp/dl && /tmp/dl/bin/pip install dateparser python-dateutil
    /tmp/dl/bin/python bench/deadline_libraries.py tests/data/deadlines_tuning.jsonl

"Alone" means each library is handed the whole passage and its answer is taken as the deadline
(dateparser: the last date search_dates finds, preferring future dates from the publication
day; dateutil: a fuzzy parse). Neither knows which date is the comment deadline, so neither
can leave a non-deadline alone; the figures show how far that gets.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, time
from zoneinfo import ZoneInfo

import dateparser.search
from dateutil import parser as dateutil_parser


def _end_of_day(moment: datetime) -> datetime:
    # A bare date means the end of that day, as our reader reads it.
    return moment.replace(hour=23, minute=59, second=59) if moment.time() == time(0) else moment


def with_dateparser(text: str, published: datetime, tz: ZoneInfo) -> datetime | None:
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": published.replace(tzinfo=None),
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY" if str(tz).startswith("Europe") else "MDY",
    }
    found = dateparser.search.search_dates(text, languages=["en"], settings=settings)
    if not found:
        return None
    return _end_of_day(found[-1][1]).replace(tzinfo=tz)


def with_dateutil(text: str, published: datetime, tz: ZoneInfo) -> datetime | None:
    try:
        moment = dateutil_parser.parse(
            text, fuzzy=True, default=published.replace(tzinfo=None, hour=0, minute=0)
        )
    except (ValueError, OverflowError):
        return None
    return _end_of_day(moment).replace(tzinfo=tz) if moment.tzinfo is None else moment


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f]
    for name, read in [("dateparser", with_dateparser), ("dateutil", with_dateutil)]:
        hits = deadlines = alone = negatives = 0
        for case in cases:
            tz = ZoneInfo(case["zone"])
            day = case["published"] or case["as_of"] or "2000-01-01"
            try:
                got = read(case["text"], datetime.fromisoformat(day).replace(tzinfo=tz), tz)
            except Exception:  # a library crash on real text counts as a miss
                got = None
            if case["expected"] is None:
                negatives += 1
                alone += got is None
            else:
                deadlines += 1
                hits += got == datetime.fromisoformat(case["expected"])
        print(
            f"{name}: deadlines read exactly {hits}/{deadlines} ({hits / deadlines:.1%}), "
            f"non-deadlines left alone {alone}/{negatives} ({alone / negatives:.1%})"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/deadlines_tuning.jsonl")
