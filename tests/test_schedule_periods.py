"""Local wall-clock periods: one instant per local day, also on the DST switch days."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notifier.schedules.periods import daily_period, weekly_period

LONDON = ZoneInfo("Europe/London")


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "key", "end"),
    [
        ("2026-03-10T09:00", "2026-03-10", "2026-03-10T08:00"),
        ("2026-03-10T07:59", "2026-03-09", "2026-03-09T08:00"),
        # Spring forward: 08:00 BST is 07:00 UTC.
        ("2026-03-29T06:59", "2026-03-28", "2026-03-28T08:00"),
        ("2026-03-29T07:00", "2026-03-29", "2026-03-29T07:00"),
        # Autumn back: 08:00 GMT again.
        ("2026-10-25T07:30", "2026-10-24", "2026-10-24T07:00"),
        ("2026-10-25T08:00", "2026-10-25", "2026-10-25T08:00"),
    ],
)
def test_daily_period_is_the_latest_local_eight_oclock(now, key, end):
    period = daily_period(utc(now), time(8), LONDON)
    assert (period.key, period.end) == (key, utc(end))


def test_a_skipped_and_a_doubled_local_time_each_fire_once():
    at = time(1, 30)  # does not exist on 29 March, happens twice on 25 October
    spring = {daily_period(utc(f"2026-03-29T{h:02}:45"), at, LONDON).key for h in range(0, 4)}
    assert spring == {"2026-03-28", "2026-03-29"}
    autumn = [
        daily_period(utc(f"2026-10-25T{h:02}:{m:02}"), at, LONDON)
        for h in range(4)
        for m in (0, 45)
    ]
    assert {p.key for p in autumn} == {"2026-10-24", "2026-10-25"}
    # The first 01:30 (BST, 00:30 UTC) is the day's instant; the second one is not another.
    assert {p.end for p in autumn if p.key == "2026-10-25"} == {utc("2026-10-25T00:30")}


def test_weekly_period_is_the_latest_monday_morning():
    period = weekly_period(utc("2026-03-12T12:00"), 0, time(8), LONDON)
    assert (period.key, period.end, period.previous_end) == (
        "2026-03-09",
        utc("2026-03-09T08:00"),
        utc("2026-03-02T08:00"),
    )
    assert weekly_period(utc("2026-03-09T07:59"), 0, time(8), LONDON).key == "2026-03-02"
