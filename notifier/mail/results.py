"""What a backend's send comes to: the server's acceptance, or a failure that says what next."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    reply: str
    queue_id: str | None = None


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or the server could not be reached."""


class ConnectionLost(TemporaryFailure):
    """The server could not be reached or went away: nothing else will get through for now."""

    def __init__(self, message: str, before_send: bool = False):
        super().__init__(message)
        # True when no byte of this message reached a server: it was never in flight.
        self.before_send = before_send


class PermanentFailure(Exception):
    """Never retry: a 5xx reply. The code and stage tell bounce handling what happened."""

    def __init__(self, message: str, code: int | None = None, stage: str = "data"):
        super().__init__(message)
        self.code = code
        # "mail" (our sender was refused), "rcpt" or "data" (the recipient was refused), or
        # "address" (we cannot write this address on this connection: no server refused it).
        self.stage = stage

    @property
    def is_bounce(self) -> bool:
        return self.stage not in {"mail", "address"}
