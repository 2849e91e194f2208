"""Pages that are the same for every visitor but for their CSRF token: rendered once a while.

GET / is what a launch-day spike hits. Its strand list and its HTML change only when an
admin edits strands, so each process renders it once per NOTIFIER_PAGE_CACHE_SECONDS with a
stand-in where the token goes, and each request only puts its own token in.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from flask import current_app, session
from flask_wtf.csrf import generate_csrf

from notifier.settings import current_settings

# Random per process, so no page content can ever look like it.
STAND_IN = f"csrf-stand-in-{secrets.token_hex(16)}"
_lock = threading.Lock()


def with_csrf(name: str, render: Callable[..., str]) -> str:
    """The page render(csrf_token=...) makes, from the cache, with this visitor's token in it.

    render must depend on nothing about the request but the token. A session holding flashed
    messages gets a fresh render: those are for that visitor alone.
    """
    ttl = current_settings().page_cache_seconds
    if ttl <= 0 or session.get("_flashes"):
        return render()
    cache = current_app.extensions.setdefault("notifier.pages", {})
    with _lock:
        kept = cache.get(name)
    if kept is None or time.monotonic() >= kept[0]:
        html = render(csrf_token=lambda: STAND_IN)  # hex: the same once escaped
        kept = (time.monotonic() + ttl, html.split(STAND_IN))
        with _lock:
            cache[name] = kept
    return generate_csrf().join(kept[1])


def forget() -> None:
    """Drop this process's cached pages: an admin changed what they show (the strands).

    Other processes render afresh within NOTIFIER_PAGE_CACHE_SECONDS.
    """
    with _lock:
        current_app.extensions.get("notifier.pages", {}).clear()
