"""Rate limits on everything that can queue an email: per client address and per email address.

The per-IP limit needs nothing but the connection, so it is a blueprint limit, which
Flask-Limiter checks in the first before-request hook, ahead of CSRF and of anything else that
reads the body. The per-address limit needs the address, which is in the body: the view counts
it with ``spend_address`` once it has read the body, so no rate-limit key ever parses a body
that the size limit and the per-IP limit have not yet let through.

A view's own per-IP limit (admin sign-in) is ``limit_per_ip``, checked in the same place.
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from notifier.extensions import limiter
from notifier.settings import current_settings

MESSAGE = "Too many requests. Wait a while, then try again."


def _per_ip() -> str:
    return current_settings().subscribe_limit_per_ip


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
    _spend(current_settings().subscribe_limit_per_address, "queue-address", key)


def limit_per_ip(rates: str, methods: tuple[str, ...] = ("POST",)):
    """Give the decorated view a per-IP limit that is checked before anything reads the body.

    Flask-Limiter checks a view's own @limiter.limit inside the view, after CSRF has read the
    whole form; this one is checked by check_view_limits, the hook after Flask-Limiter's.
    Put it under the route decorator, so the view the route holds carries the mark.
    """

    def mark(view):
        view.per_ip_limit = (rates, methods)
        return view

    return mark


def check_view_limits() -> None:
    """429 once the client has spent the limit_per_ip budget of the view it asks for."""
    view = current_app.view_functions.get(request.endpoint or "")
    rates, methods = getattr(view, "per_ip_limit", ("", ()))
    if request.method in methods:
        _spend(rates, f"view:{request.endpoint}", request.remote_addr or "")


def _spend(rates: str, scope: str, key: str) -> None:
    for rate in parse_many(rates):
        if not limiter.limiter.hit(rate, scope, key):
            reset, _ = limiter.limiter.get_window_stats(rate, scope, key)
            retry = max(1, math.ceil(reset - time.time()))
            raise TooManyRequests(description=MESSAGE, retry_after=retry)


def skip_exempt_views(app) -> None:
    """Let the limiter skip, before it resolves anything, a request no limit can count.

    Flask-Limiter works out every request's limits (defaults, blueprint's, view's) before it
    looks at an exemption: a third of the cost of GET /, even with a request filter, so its
    hook is wrapped rather than filtered. A request is skipped when its view
    is @limiter.exempt and every limit on the view or its blueprint is for other methods
    (the public write limit is POST only). That never changes once the app is built, so it
    is worked out once per endpoint and method.
    """
    from flask_limiter import ExemptionScope
    from flask_limiter.util import get_qualified_name

    manager = limiter.limit_manager
    known: dict[tuple[str, str], bool] = {}

    def nothing_to_count() -> bool:
        key = (request.endpoint or "", request.method)
        found = known.get(key)
        if found is None:
            view = app.view_functions.get(key[0])
            scope = manager.exemption_scope(app, key[0], request.blueprint)
            limits = [
                *manager.decorated_limits(get_qualified_name(view) if view else ""),
                *(manager.blueprint_limits(app, request.blueprint) if request.blueprint else []),
            ]
            found = known[key] = (
                view is not None
                and ExemptionScope.APPLICATION in scope
                and ExemptionScope.DEFAULT in scope
                and all(
                    lim.methods is not None and key[1].lower() not in lim.methods for lim in limits
                )
            )
        return found

    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if limiter._meta_limits or check not in hooks:
        return  # meta limits count every request; or the limiter is not on this app

    def check_unless_nothing_to_count() -> None:
        if not nothing_to_count():
            check()

    hooks[hooks.index(check)] = check_unless_nothing_to_count
