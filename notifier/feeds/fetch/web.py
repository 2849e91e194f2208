"""A feed fetched over HTTP(S): one conditional GET inside one deadline, every failure named."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx

from notifier.feeds.addresses import AddressPolicy, RefusedAddress, Resolver
from notifier.feeds.deadline_transport import deadline_transport
from notifier.feeds.fetch.cap import check_declared, decoded
from notifier.feeds.fetch.redirects import MAX_REDIRECTS, permanent_target, refuse_other_schemes
from notifier.feeds.fetch.terms import OUT_OF_TIME, Fetched, FetchError, Limits


def fetch_web(
    url: str,
    etag: str | None,
    last_modified: str | None,
    limits: Limits,
    agent: str,
    resolver: Resolver,
    cutoff: float | None,
) -> Fetched:
    """Fetch an http(s) url; every way it can fail becomes a FetchError saying which."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"bad URL: {exc}") from None
    deadline_at = time.monotonic() + limits.deadline
    over_budget = cutoff is not None and cutoff < deadline_at
    if over_budget:
        deadline_at = cutoff
    try:
        policy = AddressPolicy.for_origin(parts.hostname or "", port, resolver)
        return _get(url, etag, last_modified, limits, agent, deadline_at, policy)
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


def _get(
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
            event_hooks={"request": [refuse_other_schemes]},
        ) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        moved_to = permanent_target(url, response)
        if response.status_code == 304:
            return Fetched(True, moved_to=moved_to)
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
        check_declared(response.headers.get("Content-Length", ""), limits.max_bytes)
        coding = response.headers.get("Content-Encoding", "identity").strip().lower()
        body = b"".join(decoded(response.iter_raw(), coding, limits.max_bytes))
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
