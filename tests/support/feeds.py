"""Routes for the test HTTP server that behave like real (and badly behaved) feed servers."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from tests.support.http import Response

FEEDS = Path(__file__).resolve().parent.parent / "feeds"
RSS = "application/rss+xml; charset=utf-8"


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def with_etag(body: bytes, etag: str, content_type: str = RSS, last_modified: str | None = None):
    """A route answering 304 when the client sends the matching If-None-Match."""
    headers = {"Content-Type": content_type, "ETag": etag}
    if last_modified:
        headers["Last-Modified"] = last_modified

    def route(handler):
        if handler.headers.get("If-None-Match") == etag:
            return Response(b"", 304, {"ETag": etag})
        return Response(body, 200, headers)

    return route


def _promise_body(handler, length: int) -> None:
    """Send the headers of a feed response of this length, and no body yet."""
    handler.send_response(200)
    handler.send_header("Content-Type", RSS)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def stall(seconds: float):
    """A route that sends headers, then nothing for a while (a read timeout)."""

    def route(handler):
        _promise_body(handler, 100)
        time.sleep(seconds)

    return route


def drip(total_seconds: float):
    """A route that sends one byte a second: every read is quick, the whole body is not."""

    def route(handler):
        _promise_body(handler, 1000)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(int(total_seconds)):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(1)

    return route


def drip_headers(total_seconds: float):
    """A route that sends its header lines one byte a second."""

    def route(handler):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: "
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(head)
            for _ in range(int(total_seconds)):
                handler.wfile.write(b"a")
                handler.wfile.flush()
                time.sleep(1)

    return route


def chunked(body_chunks, headers: dict[str, str]):
    """A route that streams chunks with chunked transfer coding (no Content-Length)."""

    def route(handler):
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for chunk in body_chunks():
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.write(b"0\r\n\r\n")

    return route
