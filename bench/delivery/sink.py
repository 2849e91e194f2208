"""A loopback SMTP sink (aiosmtpd) that counts every message, waiting L ms before each DATA reply.

    python bench/delivery/sink.py PORT [LATENCY_MS]

The wait stands in for a remote relay's round trip; it is asynchronous, so one sink serves many
connections at once, as a relay does.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, latency: float):
        self.count, self.latency = 0, latency

    async def handle_DATA(self, server, session, envelope):
        if self.latency:
            await asyncio.sleep(self.latency)
        self.count += 1
        return f"250 2.0.0 Ok: queued as SINK{self.count:06d}"


def main(port: int, latency_ms: float) -> None:
    sink = Sink(latency_ms / 1000)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    controller.stop()
    print(sink.count, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
