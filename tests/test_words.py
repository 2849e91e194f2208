"""Deadlines and meetings in words, as emails and pages say them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifier.publish import words

LONDON = ZoneInfo("Europe/London")


def test_a_moved_deadline_says_from_when_to_when():
    was = datetime(2014, 8, 29, 22, 59, tzinfo=UTC)  # 11:59pm BST
    now = datetime(2014, 9, 5, 22, 59, tzinfo=UTC)
    assert words.moved(was, now, LONDON) == (
        "was Friday 29 August, 11:59pm; now Friday 5 September, 11:59pm"
    )
    into_next_year = datetime(2015, 1, 9, 23, 59, tzinfo=UTC)
    assert words.moved(was, into_next_year, LONDON) == (
        "was Friday 29 August 2014, 11:59pm; now Friday 9 January 2015, 11:59pm"
    )


def test_days_left_count_local_calendar_days():
    now = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert words.closes_in(datetime(2026, 12, 1, 23, 59, tzinfo=UTC), now, LONDON) == (
        "closes today"
    )
    assert words.closes_in(datetime(2026, 12, 2, 0, 30, tzinfo=UTC), now, LONDON) == (
        "closes tomorrow"
    )
    assert words.closes_in(datetime(2026, 12, 6, 12, 0, tzinfo=UTC), now, LONDON) == (
        "closes in 5 days"
    )
    assert words.closes_in(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), now, LONDON) == "closed"
    assert words.close_day(datetime(2026, 12, 7, 12, tzinfo=UTC), now, LONDON) == "Monday"
    assert words.close_day(datetime(2026, 12, 14, 12, tzinfo=UTC), now, LONDON) == "14 December"


def test_meeting_times_name_the_end_day_only_when_it_differs():
    start = datetime(2014, 4, 23, 9, tzinfo=UTC)
    assert words.meeting_time(start, datetime(2014, 4, 23, 11, tzinfo=UTC), LONDON) == (
        "Wednesday 23 April 2014, 10am to midday"
    )
    late = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    assert words.meeting_time(late, datetime(2026, 12, 7, 1, 0, tzinfo=UTC), LONDON) == (
        "Sunday 6 December 2026, 11pm to Monday 7 December 2026, 1am"
    )
