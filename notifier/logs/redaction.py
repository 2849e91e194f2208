"""Take what would let a reader act as a subscriber, or name one, out of a log line.

The one place redaction lives: every log line passes through it in the formatters
(notifier.logs.formats), whichever server or process wrote it.
"""

from __future__ import annotations

import re

# Paths whose last part is a subscriber's token: as good as the subscriber's password.
TOKEN_PATH = re.compile(r"/(confirm|manage|unsubscribe|mute|calendar)/[^/?\s\"]+")
# Local part of anything shaped like an address: the domain stays, it says where mail goes.
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+=?^_`{|}~-]+@(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# itsdangerous tokens outside a path (a token=... query, a message quoting one).
SIGNED = re.compile(r"\b[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{20,}\b")


def redact_tokens(text: str) -> str:
    """Replace the token in any path that carries one (manage, mute...) with a placeholder."""
    return TOKEN_PATH.sub(r"/\1/[token]", text)


def redact(text: str) -> str:
    """Tokens in paths and signed tokens become [token]; addresses become [address]@domain."""
    text = redact_tokens(text)
    text = SIGNED.sub("[token]", text)
    return ADDRESS.sub("[address]@", text)
