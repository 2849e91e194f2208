"""Where a fetch may be redirected, and which redirects say the feed has moved for good."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from notifier.feeds.fetch.terms import FetchError

PERMANENT = {301, 308}
MAX_REDIRECTS = 5
WEB_SCHEMES = {"http", "https"}


def refuse_other_schemes(request: httpx.Request) -> None:
    """Called before every request, redirects included: only http and https go out."""
    if request.url.scheme not in WEB_SCHEMES:
        raise FetchError(f"refused a redirect to a {request.url.scheme}: URL")


def permanent_target(url: str, response: httpx.Response) -> str | None:
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
