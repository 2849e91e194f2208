"""An httpx transport whose every network wait ends by one overall deadline.

httpx times each connect and read separately, so a server that drips a byte every few seconds
(into the headers or the body) never trips a read timeout. Here every socket operation gets
at most the time left before the deadline, and none at all once it has passed. Every
connection, the first and each redirect's, goes only to addresses the fetch's policy allows,
checked on the very addresses it connects to (so DNS cannot change its answer in between).
"""

from __future__ import annotations

import functools
import os
import ssl
import time
from typing import Any

import httpcore
import httpx

from notifier.feeds.addresses import AddressPolicy


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline_at: float):
        self._stream = stream
        self._deadline_at = deadline_at

    def _bound(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            raise error("the overall deadline has passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        bounded = self._bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, bounded), self._deadline_at
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def __init__(self, deadline_at: float, policy: AddressPolicy):
        self._deadline_at = deadline_at
        self._policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure: Exception | None = None
        for address in self._policy.addresses(host, port):
            left = self._deadline_at - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("the overall deadline has passed")
            bounded = left if timeout is None else min(timeout, left)
            try:
                stream = super().connect_tcp(address, port, bounded, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the host's next address, as a browser would
                continue
            return _DeadlineStream(stream, self._deadline_at)
        raise failure or httpcore.ConnectError(f"cannot connect to {host}")


def deadline_transport(deadline_at: float, policy: AddressPolicy) -> httpx.HTTPTransport:
    """An HTTP/1.1 transport (no proxies) that gives up at time.monotonic() == deadline_at."""
    context = tls_context()
    transport = httpx.HTTPTransport(verify=context)
    # httpx offers no hook for the network backend, so swap in a pool that uses ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context, network_backend=_DeadlineBackend(deadline_at, policy)
    )
    return transport


def tls_context() -> ssl.SSLContext:
    """The verifying TLS context, shared by every fetch: loading the CA store takes a while.

    Loading it per fetch cost a tenth of a second or more of CPU each, which a poll of many
    feeds at once spends one thread at a time, eating into every fetch's deadline.
    """
    return _context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _context_for(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    # Keyed on the variables httpx reads, so a changed trust store gets its own context.
    return httpx.create_ssl_context()
