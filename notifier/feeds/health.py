"""Record how a feed's polls go, and when to poll it next (backing off while it fails)."""

from __future__ import annotations

from datetime import datetime, timedelta

from notifier.models import Feed
from notifier.moments import rfc3339

MAX_BACKOFF = timedelta(hours=24)


def next_delay(interval_minutes: int, failures: int) -> timedelta:
    """The base interval after a success; doubling per consecutive failure, capped at a day."""
    delay = timedelta(minutes=interval_minutes) * (2 ** min(failures, 16))
    return min(delay, MAX_BACKOFF)


def record_success(
    feed: Feed, now: datetime, interval_minutes: int, seconds: float | None = None
) -> None:
    feed.last_polled_at = now
    feed.last_fetch_seconds = _rounded(seconds)
    feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.next_poll_at = now + next_delay(interval_minutes, 0)


def record_failure(
    feed: Feed, error: str, now: datetime, interval_minutes: int, seconds: float | None = None
) -> None:
    feed.last_polled_at = now
    feed.last_fetch_seconds = _rounded(seconds)
    feed.last_error = error[:2000]
    feed.last_error_at = now
    feed.consecutive_failures = (feed.consecutive_failures or 0) + 1
    feed.next_poll_at = now + next_delay(interval_minutes, feed.consecutive_failures)


def describe(feed: Feed, tz) -> dict:
    """A feed's health as plain data: ISO 8601 times with offsets, or null."""

    def iso(moment: datetime | None) -> str | None:
        return rfc3339(moment, tz) if moment else None

    return {
        "url": feed.url,
        "title": feed.title,
        "active": feed.active,
        "last_success": iso(feed.last_success_at),
        "last_error": feed.last_error,
        "last_error_at": iso(feed.last_error_at),
        "consecutive_failures": feed.consecutive_failures or 0,
        "next_poll": iso(feed.next_poll_at),
        "last_fetch_seconds": feed.last_fetch_seconds,
    }


def _rounded(seconds: float | None) -> float | None:
    # Milliseconds are plenty for telling a quick feed from a slow one.
    return None if seconds is None else round(seconds, 3)
