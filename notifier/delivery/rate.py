"""The mail rate: a token bucket per worker, its rate a share of the fleet's limit.

`mail_rate_per_second` holds for all workers together. Each sending worker beats a heartbeat
row in the database and takes rate / (workers beating in the last few seconds), so an
operator sets the relay's limit once. A quiet worker beats nothing and takes no share.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from notifier.extensions import db
from notifier.models import DeliveryWorker, utcnow

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
ALIVE = timedelta(seconds=3 * HEARTBEAT_SECONDS)


class TokenBucket:
    """Blocks in take() until a token is free; rate <= 0 means no limit. Thread-safe."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.clock, self.sleep = clock, sleep
        self.lock = threading.Lock()
        self.set_rate(rate, burst)
        self.tokens = self.capacity
        self.updated = clock()

    def set_rate(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        # One second's worth by default, so a quiet worker may send a short burst at once.
        self.capacity = burst if burst is not None else max(1.0, rate)

    def take(self) -> float:
        """Take one token, sleeping if none is left; return the seconds slept."""
        if self.rate <= 0:
            return 0.0
        # The lock is held through the sleep: connections queue for tokens in turn.
        with self.lock:
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


class SharedRate(TokenBucket):
    """This worker's share of the fleet's rate, renewed from the heartbeats every second."""

    def __init__(self, fleet_rate: float, worker: str, **kwargs):
        super().__init__(fleet_rate, **kwargs)
        self.fleet_rate, self.worker = fleet_rate, worker
        self.beaten = float("-inf")

    def take(self) -> float:
        if self.fleet_rate > 0 and self.clock() - self.beaten >= HEARTBEAT_SECONDS:
            self.beaten = self.clock()
            self._beat()
        return super().take()

    def _beat(self) -> None:
        now = utcnow()
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(DeliveryWorker).values(name=self.worker, seen_at=now)
        upsert = upsert.on_conflict_do_update(index_elements=["name"], set_={"seen_at": now})
        alive = select(func.count()).where(DeliveryWorker.seen_at > now - ALIVE)
        try:
            with db.engine.begin() as conn:
                conn.execute(upsert)
                workers = max(1, conn.execute(alive).scalar())
        except Exception as exc:  # the database is away: keep the share we had
            log.debug("heartbeat failed: %s", exc)
            return
        with self.lock:
            self.set_rate(self.fleet_rate / workers)

    def retire(self) -> None:
        """Stop counting this worker, so the others take its share at once."""
        if self.fleet_rate > 0:
            try:
                with db.engine.begin() as conn:
                    conn.execute(delete(DeliveryWorker).where(DeliveryWorker.name == self.worker))
            except Exception as exc:
                log.debug("could not retire worker %s: %s", self.worker, exc)
