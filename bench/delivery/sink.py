"""A loopback SMTP sink (aiosmtpd) that accepts and counts every message: run as its own process."""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return f"250 2.0.0 Ok: queued as SINK{self.count:06d}"


def main(port: int) -> None:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    controller.stop()
    print(sink.count, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
