"""What we note about a request: its address and browser, for consent records and limits."""

from __future__ import annotations

from flask import request

from notifier.subscriptions.consent import Origin


def origin(source: str) -> Origin:
    """The Origin of the current request, labelled with where in the journey it came from."""
    return Origin(ip=request.remote_addr, user_agent=_user_agent(), source=source)


def _user_agent() -> str | None:
    """The browser as it names itself, made storable: no control characters, 500 at most.

    It is any bytes a client likes; a NUL would fail on PostgreSQL, and the column is 500 long.
    """
    text = "".join(c if c.isprintable() else " " for c in request.user_agent.string)
    return text.strip()[:500] or None
