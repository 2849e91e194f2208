"""Fetch a feed's bytes over HTTP(S) or from a file, within time and size limits.

The only way a feed is read (polls and `notifier doctor` alike), and with `feeds/addresses.py`
and `feeds/deadline_transport.py` under it, the only part of feeds/ that opens a connection:
`web.py` makes the request, `redirects.py` says where it may go, `cap.py` holds the body to
the size cap, `local.py` reads a file feed.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

from notifier.feeds.addresses import Resolver, resolve
from notifier.feeds.fetch.local import fetch_file
from notifier.feeds.fetch.redirects import WEB_SCHEMES
from notifier.feeds.fetch.terms import OUT_OF_TIME, Fetched, FetchError, Limits
from notifier.feeds.fetch.web import fetch_web

__all__ = ["OUT_OF_TIME", "FetchError", "Fetched", "Limits", "fetch", "user_agent"]


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
        return fetch_file(url, etag, limits)
    if scheme not in WEB_SCHEMES:
        raise FetchError(f"unsupported URL scheme {scheme or '(none)'!r}")
    return fetch_web(url, etag, last_modified, limits, agent, resolver, cutoff)
