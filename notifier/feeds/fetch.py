"""Fetch a feed's bytes over HTTP(S) or from a file, within time and size limits."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from notifier.feeds.addresses import AddressPolicy, RefusedAddress, Resolver, resolve
from notifier.feeds.deadline_transport import deadline_transport

PERMANENT = {301, 308}
MAX_REDIRECTS = 5
WEB_SCHEMES = {"http", "https"}
OUT_OF_TIME = "still fetching when the poll's time budget ran out"


class FetchError(Exception):
    """The feed could not be fetched; the message says why in one line."""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    deadline: float
    max_bytes: int

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            float(settings.feed_connect_timeout),
            float(settings.feed_read_timeout),
            float(settings.feed_deadline),
            int(settings.feed_max_bytes),
        )


@dataclass
class Fetched:
    """What a fetch brought back: new bytes, or word that nothing changed since last time."""

    not_modified: bool
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    # Where a chain of permanent redirects says the feed now lives, if it moved.
    moved_to: str | None = None


def user_agent(base_url: str) -> str:
    try:
        release = version("notifier")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        release = "0.1"
    return f"notifier/{release} (+{base_url})"


def fetch(
    url: str,
    etag: str | None,
    last_modified: str | None,
    limits: Limits,
    agent: str,
    resolver: Resolver = resolve,
    cutoff: float | None = None,
) -> Fetched:
    """Fetch url conditionally; raise FetchError on any failure, never return a partial body.

    `cutoff` (on the time.monotonic() clock) is when the whole poll's budget ends; the fetch
    gives up then even if its own deadline is further off.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return _fetch_file(url, etag, limits)
    if scheme not in WEB_SCHEMES:
        raise FetchError(f"unsupported URL scheme {scheme or '(none)'!r}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"bad URL: {exc}") from None
    deadline_at = time.monotonic() + limits.deadline
    over_budget = cutoff is not None and cutoff < deadline_at
    if over_budget:
        deadline_at = cutoff
    try:
        policy = AddressPolicy.for_origin(parts.hostname or "", port, resolver)
        return _fetch_http(url, etag, last_modified, limits, agent, deadline_at, policy)
    except RefusedAddress as exc:
        raise FetchError(str(exc)) from None
    except httpx.TimeoutException as exc:
        if time.monotonic() >= deadline_at:
            if over_budget:
                raise FetchError(OUT_OF_TIME) from None
            raise FetchError(f"took longer than the {limits.deadline:g} second deadline") from None
        raise FetchError(f"timed out ({exc.__class__.__name__})") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"HTTP error: {exc.__class__.__name__}: {exc}") from None


def _fetch_http(
    url, etag, last_modified, limits: Limits, agent: str, deadline_at, policy: AddressPolicy
) -> Fetched:
    headers = {
        "User-Agent": agent,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
        # Only codings we decode ourselves, with a cap on the decoded size.
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    with (
        httpx.Client(
            transport=deadline_transport(deadline_at, policy),
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=False,
            event_hooks={"request": [_refuse_other_schemes]},
        ) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        moved_to = _permanent_target(url, response)
        if response.status_code == 304:
            return Fetched(True, moved_to=moved_to)
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(f"body of {declared} bytes is over the {limits.max_bytes} byte cap")
        coding = response.headers.get("Content-Encoding", "identity").strip().lower()
        body = b"".join(_decoded(response.iter_raw(), coding, limits.max_bytes))
        return Fetched(
            False,
            body=body,
            # The body is decoded now: feedparser must not see the coding or the wire length.
            headers={
                k.lower(): v
                for k, v in response.headers.items()
                if k.lower() not in {"content-encoding", "content-length"}
            },
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            moved_to=moved_to,
        )


def _refuse_other_schemes(request: httpx.Request) -> None:
    """Called before every request, redirects included: only http and https go out."""
    if request.url.scheme not in WEB_SCHEMES:
        raise FetchError(f"refused a redirect to a {request.url.scheme}: URL")


def _permanent_target(url: str, response: httpx.Response) -> str | None:
    """The URL reached through redirects that were all permanent, or None.

    A move from https to http is followed for this fetch but never stored: one redirect
    must not turn every later poll into plain text that anyone on the path can rewrite.
    """
    hops = [*response.history, response]
    target = None
    for hop, following in zip(hops, hops[1:], strict=False):
        if hop.status_code not in PERMANENT:
            break
        target = str(following.url)
    if not target or target == url:
        return None
    if urlsplit(url).scheme.lower() == "https" and urlsplit(target).scheme != "https":
        return None
    return target


def _decoded(chunks: Iterator[bytes], coding: str, cap: int) -> Iterator[bytes]:
    """Yield the decoded body, failing as soon as raw or decoded bytes pass the cap."""
    if coding in {"", "identity"}:
        decoder = None
    elif coding in {"gzip", "x-gzip", "deflate"}:
        decoder = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, detected from the header
    else:
        raise FetchError(f"unsupported Content-Encoding {coding!r}")
    raw_total = decoded_total = 0
    for chunk in chunks:
        raw_total += len(chunk)
        if raw_total > cap:
            raise FetchError(f"body is over the {cap} byte cap")
        if decoder is None:
            decoded_total = raw_total
            yield chunk
            continue
        data = chunk
        while data:
            try:
                # max_length bounds each step, so a bomb never inflates past the cap in memory.
                out = decoder.decompress(data, cap + 1 - decoded_total)
            except zlib.error as exc:
                raise FetchError(f"cannot decode {coding} body: {exc}") from None
            decoded_total += len(out)
            if decoded_total > cap:
                raise FetchError(f"decoded body is over the {cap} byte cap")
            yield out
            data = decoder.unconsumed_tail
    if decoder is not None and not decoder.eof:
        raise FetchError(f"cannot decode {coding} body: it ends before the compressed stream does")


def _fetch_file(url: str, etag: str | None, limits: Limits) -> Fetched:
    """Read a local feed with the same cap; its size and mtime stand in for an ETag."""
    path = Path(url2pathname(urlsplit(url).path))
    try:
        stat = path.stat()
        tag = f'"file-{stat.st_mtime_ns}-{stat.st_size}"'
        if etag == tag:
            return Fetched(True)
        with path.open("rb") as fh:
            body = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    if len(body) > limits.max_bytes:
        raise FetchError(f"file is over the {limits.max_bytes} byte cap")
    return Fetched(False, body=body, etag=tag)
