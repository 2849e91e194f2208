"""Render an email's text and HTML templates, once per pass for what many messages share.

A delivery pass sends thousands of list emails that differ only in their links. Inside
sharing(), list_email renders each distinct body once, with placeholders where the personal
links go, and every message then fills in its own (Email.fills, applied when it is built).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from flask import render_template

T = TypeVar("T")
# Per pass and per lane (a thread has its own context): ORM objects never cross threads.
_shared: ContextVar[dict | None] = ContextVar("notifier_shared_renders", default=None)
# Enough for every distinct digest of a pass; past it the cache starts again, bounding memory.
MAX_SHARED = 512


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Within this block, once() computes each key one time."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def sharing_now() -> bool:
    """True inside sharing(): renders may be reused, so personal values go in as fills."""
    return _shared.get() is not None


def once(key: Hashable, make: Callable[[], T]) -> T:
    """make() for key, reused within sharing(); computed afresh outside it."""
    cache = _shared.get()
    if cache is None:
        return make()
    if key not in cache:
        if len(cache) >= MAX_SHARED:
            cache.clear()
        cache[key] = make()
    return cache[key]


def render_pair(name: str, **context) -> tuple[str, str]:
    """Render templates/email/<name>.txt and .html with the same context."""
    return (
        render_template(f"email/{name}.txt", **context),
        render_template(f"email/{name}.html", **context),
    )
