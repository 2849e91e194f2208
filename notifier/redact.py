"""Keep subscriber tokens out of logs: they are as good as the subscriber's password."""

from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

TOKEN_PATH = re.compile(r"/(confirm|manage|unsubscribe|mute|calendar)/[^/?\s\"]+")


def redact(text: str) -> str:
    """Replace the token in any path that carries one (manage, mute...) with a placeholder."""
    return TOKEN_PATH.sub(r"/\1/[token]", text)


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's request log, with tokens taken out of the request line."""

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 - werkzeug's name
        super().log(type, redact(message), *(redact(a) if isinstance(a, str) else a for a in args))
