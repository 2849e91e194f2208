"""A token bucket: at most rate messages per second, with a clock that tests can drive."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Blocks in take() until a token is free; rate <= 0 means no limit."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = rate
        # One second's worth by default, so a quiet worker may send a short burst at once.
        self.capacity = burst if burst is not None else max(1.0, rate)
        self.clock, self.sleep = clock, sleep
        self.tokens = self.capacity
        self.updated = clock()

    def take(self) -> float:
        """Take one token, sleeping if none is left; return the seconds slept."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        waited = 0.0
        if self.tokens < 1:
            waited = (1 - self.tokens) / self.rate
            self.sleep(waited)
            self._refill()
            # A sleep may end early by a hair; never let the count go below what was owed.
            self.tokens = max(self.tokens, 1.0)
        self.tokens -= 1
        return waited

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
