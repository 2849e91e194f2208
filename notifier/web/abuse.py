"""Rate limits on everything that can queue an email: per client address and per email address.

The per-IP limit needs nothing but the connection, so it is a blueprint limit, which
Flask-Limiter checks in the first before-request hook, ahead of CSRF and of anything else that
reads the body. The per-address limit needs the address, which is in the body: the view counts
it with ``spend_address`` once it has read the body, so no rate-limit key ever parses a body
that the size limit and the per-IP limit have not yet let through.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from notifier.extensions import limiter

MESSAGE = "Too many requests. Wait a while, then try again."


def _per_ip() -> str:
    return current_app.config["NOTIFIER"].subscribe_limit_per_ip


# One budget per client IP for all the public doors that queue an email (the subscribe form,
# a new link, the subscriptions API): per door, each address would get one budget per door.
PUBLIC_WRITES = limiter.shared_limit(
    _per_ip, scope="public-writes", methods=["POST"], error_message=MESSAGE
)


def limit_writes(bp) -> None:
    """Count POSTs to the blueprint's views against the client's one budget for public writes.

    Its views call spend_address as well, for the per-address limit.
    """
    PUBLIC_WRITES(bp)


def spend_address(raw) -> None:
    """Count one request against the email address it names; 429 once that budget is spent.

    Loosely normalised (trimmed, lower case) so that case tricks do not buy more tries.
    """
    if not isinstance(raw, str) or not raw.strip():
        return  # no address: the per-IP limit is the only one that applies
    key = "address:" + raw.strip().lower()
    rates = parse_many(current_app.config["NOTIFIER"].subscribe_limit_per_address)
    for rate in rates:
        if not limiter.limiter.hit(rate, "queue-address", key):
            reset, _ = limiter.limiter.get_window_stats(rate, "queue-address", key)
            retry = max(1, math.ceil(reset - time.time()))
            raise TooManyRequests(description=MESSAGE, retry_after=retry)
