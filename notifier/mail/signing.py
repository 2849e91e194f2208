"""DKIM signing of outgoing bytes (dkimpy), when a selector, domain and key are configured."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import dkim

from notifier.settings import ConfigError

# Signed so that nobody on the way can change who it is from, what it says, or strip or swap
# the unsubscribe headers that Gmail and Yahoo require of bulk senders.
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)


class Signer:
    """Prepends a DKIM-Signature header to a message."""

    def __init__(self, selector: str, domain: str, key_path: str):
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.key = _read_key(key_path)

    def sign(self, message: bytes) -> bytes:
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            if line and line[:1] not in b" \t"
        }
        headers = [name for name in SIGNED_HEADERS if name in present]
        signature = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.key,
            include_headers=headers,
            canonicalize=(b"relaxed", b"relaxed"),
        )
        return signature + message


def signer_from(settings) -> Signer | None:
    """The signer the settings describe, or None when DKIM is not configured."""
    parts = (settings.dkim_selector, settings.dkim_domain, settings.dkim_private_key_path)
    if not any(parts):
        return None
    if not all(parts):
        raise ConfigError(
            "DKIM needs all of NOTIFIER_DKIM_SELECTOR, NOTIFIER_DKIM_DOMAIN and "
            "NOTIFIER_DKIM_PRIVATE_KEY_PATH"
        )
    return _signer(*parts)


@lru_cache(maxsize=4)
def _signer(selector: str, domain: str, key_path: str) -> Signer:
    return Signer(selector, domain, key_path)


def _read_key(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read NOTIFIER_DKIM_PRIVATE_KEY_PATH {path!r}: {exc}") from None
