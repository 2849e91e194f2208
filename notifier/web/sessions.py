"""Flask's signed-cookie sessions, with the signer built once rather than twice a request.

Every cookie-less GET / makes a session (its CSRF token lives there): Flask builds a new
itsdangerous serializer to read the cookie and another to write it, a tenth of the page's
cost. The serializer keeps no state between calls, so one per set of keys does.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            # A changed key (a test, a rotation) gets a fresh serializer, never a stale one.
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]
