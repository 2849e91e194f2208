"""The content version, kept a moment per process, so that most polls cost no query at all.

Reading the version (freshness.content_version) is most of what a poll costs, and calendar
programs and feed readers across the world ask for the same few documents all the time. Each
process keeps the version it read for NOTIFIER_PUBLISH_CACHE_SECONDS (1 s by default): a change
committed by another process (the clock's feed poll, another web worker) shows within that
long. A commit in this process forgets the kept version at once, so a change made here (an
admin moving a deadline) is in the very next answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from notifier.publish.freshness import Version, content_version


@dataclass(frozen=True)
class Kept:
    version: Version
    until: float  # time.monotonic() after which it is stale
    generation: int  # the Keeper's generation when the version was read


class Keeper:
    """One per app: the last version read, until it goes stale or this process commits."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.generation = 0
        self._kept: Kept | None = None

    def forget(self) -> None:
        """Something was committed here: the next request reads the version afresh."""
        self.generation += 1

    def fresh(self) -> Version | None:
        """The kept version while it is fresh, else None. Never touches the database."""
        kept = self._kept  # one read: another thread may replace it, never change it
        if kept is None or kept.generation != self.generation or time.monotonic() >= kept.until:
            return None
        return kept.version

    def read(self, now: datetime) -> Version:
        """The kept version, or one read from the database now (inside an app context)."""
        version = self.fresh()
        if version is not None:
            return version
        # Taken before the query: a commit landing while it runs leaves this one stale at once.
        generation = self.generation
        version = content_version(now)
        if self.seconds > 0:
            self._kept = Kept(version, time.monotonic() + self.seconds, generation)
        return version
