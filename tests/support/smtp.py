"""A real SMTP server on loopback (aiosmtpd) that keeps the exact bytes it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    # The client's (host, port): tells one connection, and so one worker, from another.
    peer: tuple = ()

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class RecordingHandler:
    """Accepts every message unless told to answer with a given reply for the next ones."""

    def __init__(self):
        self.received: list[Received] = []
        self.replies: deque[str] = deque()  # e.g. "451 try later", "550 no such user"
        self.lock = threading.Lock()
        # After this many messages the server goes away: connection dropped, port closed.
        self.vanish_after: int | None = None
        self.on_vanish = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.vanish_after is not None and len(self.received) >= self.vanish_after:
                server.transport.close()
                if self.on_vanish:
                    self.on_vanish()
                return "421 4.3.2 gone"
            reply = self.replies.popleft() if self.replies else None
            if reply:
                return reply
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or envelope.content),
                    tuple(session.peer or ()),
                )
            )
        return f"250 2.0.0 Ok: queued as TEST{len(self.received):04d}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, smtputf8: bool = False):
        self.handler = RecordingHandler()
        # aiosmtpd 1.4 cannot start on port 0 (it connects to its own port to check it is up).
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8
        )

    def start(self) -> SmtpServer:
        self.controller.start()
        # Runs in the server's own loop: stop listening, so a reconnect is refused.
        self.handler.on_vanish = self.controller.server.close
        return self

    def vanish_after(self, count: int) -> None:
        """Accept count more messages, then drop the connection and stop listening."""
        self.handler.vanish_after = len(self.received) + count

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least count messages have arrived; return them."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received
