"""What a pass did: counts by outcome, and whether the relay or the database went away."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

COUNTS = ("sent", "retried", "failed", "cancelled")


@dataclass
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    server_gone: bool = False  # the relay could not be reached: the rest stays due
    database_gone: bool = False  # the database did not answer: the pass ended early

    def __iadd__(self, other: Tally) -> Tally:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.server_gone = self.server_gone or other.server_gone
        self.database_gone = self.database_gone or other.database_gone
        return self

    @property
    def handled(self) -> int:
        return sum(getattr(self, name) for name in COUNTS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
