"""Run a poll's fetches side by side in a bounded pool, all inside one time budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class OutOfTime(Exception):
    """The job had not finished when the budget ended."""


@dataclass(frozen=True)
class Budget:
    """A poll's time budget on the monotonic clock: when fetches stop, and when the poll ends.

    Fetches must be done a little before the end, so that storing what they brought (one
    writer, feed by feed) still fits inside the budget.
    """

    started: float
    seconds: float

    @classmethod
    def start(cls, seconds: float) -> Budget:
        return cls(time.monotonic(), seconds)

    @property
    def fetch_cutoff(self) -> float:
        # A quarter of the budget, at most five seconds, is kept for storing what came in.
        return self.started + self.seconds - min(5.0, self.seconds / 4)

    @property
    def collect_by(self) -> float:
        # A fetch stuck where no socket timeout reaches (a hung DNS lookup) is given up on here.
        return self.fetch_cutoff + min(1.0, self.seconds / 20)


@dataclass(frozen=True)
class Done(Generic[T]):
    """One job's outcome: its value or the exception it raised, and how long it ran."""

    value: T | None
    error: BaseException | None
    seconds: float | None


def gather(jobs: Sequence[Callable[[], T]], workers: int, budget: Budget) -> Iterator[Done[T]]:
    """Start every job on a pool of `workers` threads; yield their outcomes in job order.

    Yielding in job order (not completion order) lets the caller store results one at a
    time in a stable order while later fetches are still running. A job not finished by the
    budget's end yields OutOfTime; its thread is left to run out its own deadline.
    """
    if not jobs:
        return
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))), thread_name_prefix="feed"
    )
    try:
        futures = [pool.submit(_timed, job) for job in jobs]
        for future in futures:
            yield _outcome(future, budget)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _timed(job: Callable[[], T]) -> Done[T]:
    started = time.monotonic()
    try:
        value = job()
    except Exception as exc:  # reported as the job's outcome, never lost in the pool
        return Done(None, exc, time.monotonic() - started)
    return Done(value, None, time.monotonic() - started)


def _outcome(future: Future, budget: Budget) -> Done:
    try:
        return future.result(timeout=max(0.0, budget.collect_by - time.monotonic()))
    except FutureTimeout:
        future.cancel()
        spent = time.monotonic() - budget.started
        return Done(None, OutOfTime(f"not finished after {spent:.1f} s"), spent)
