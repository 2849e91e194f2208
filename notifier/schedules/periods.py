"""Local wall-clock period maths: which daily or weekly period a moment falls in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class Period:
    """One scheduled instant: its key (the local date it fires on) and when it ends, in UTC."""

    kind: str
    key: str
    end: datetime
    previous_end: datetime


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    On the autumn switch an ambiguous time means its first occurrence (fold=0); on the spring
    switch a skipped time maps to the instant it would have been before the clocks moved.
    Either way each local day has exactly one instant.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def daily_period(now: datetime, at: time, tz: tzinfo) -> Period:
    """The latest daily instant at or before now."""
    return _latest("daily", now.astimezone(tz).date(), timedelta(days=1), now, at, tz)


def weekly_period(now: datetime, weekday: int, at: time, tz: tzinfo) -> Period:
    """The latest weekly instant (weekday: Monday is 0) at or before now."""
    today = now.astimezone(tz).date()
    this_week = today - timedelta(days=(today.weekday() - weekday) % 7)
    return _latest("weekly", this_week, timedelta(days=7), now, at, tz)


def _latest(kind: str, day: date, step: timedelta, now: datetime, at: time, tz) -> Period:
    """The period firing on day, or the one a step before if day's instant is still ahead."""
    end = local_instant(day, at, tz)
    if end > now:
        day -= step
        end = local_instant(day, at, tz)
    return Period(kind, day.isoformat(), end, local_instant(day - step, at, tz))


def period_for(kind: str, now: datetime, settings) -> Period:
    """The latest period of a kind (daily, weekly) at or before now, from the settings."""
    if kind == "weekly":
        return weekly_period(now, settings.weekly.weekday, settings.weekly.at, settings.tz)
    return daily_period(now, settings.daily_time, settings.tz)
