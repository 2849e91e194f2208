"""A request id for every request: taken from X-Request-ID when sane, else made; echoed back."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

from notifier.logs import context

SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_echo)
    app.teardown_request(_end)


def request_id(given: str) -> str:
    """The id a request goes by: the one it brought when sane, else a new one."""
    return given if SANE.match(given) else uuid.uuid4().hex


def _start() -> None:
    g.request_id = request_id(request.headers.get("X-Request-ID", ""))
    g.request_id_token = context.request_id.set(g.request_id)


def _echo(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def _end(_exc=None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        context.request_id.reset(token)
