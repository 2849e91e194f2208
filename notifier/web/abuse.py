"""Rate limits on everything that can queue an email: per client address and per email address."""

from __future__ import annotations

from flask import current_app

from notifier.extensions import limiter
from notifier.web.visitor import address_key

MESSAGE = "Too many requests. Wait a while, then try again."


def _per_ip() -> str:
    return current_app.config["NOTIFIER"].subscribe_limit_per_ip


def _per_address() -> str:
    return current_app.config["NOTIFIER"].subscribe_limit_per_address


def limited(view):
    """Limit POSTs to a view per client IP and per email address named in the body."""
    view = limiter.limit(_per_ip, methods=["POST"], error_message=MESSAGE, scope="queue-ip")(view)
    return limiter.limit(
        _per_address,
        key_func=address_key,
        methods=["POST"],
        error_message=MESSAGE,
        scope="queue-address",
    )(view)
