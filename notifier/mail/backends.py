"""Mail backends behind one small interface, chosen by NOTIFIER_MAIL_URL."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from notifier.mail.results import ConnectionLost, PermanentFailure, SendResult, TemporaryFailure
from notifier.mail.smtp import SmtpBackend
from notifier.settings import ConfigError

__all__ = [
    "ConnectionLost",
    "FileBackend",
    "MailBackend",
    "PermanentFailure",
    "SendResult",
    "SmtpBackend",
    "TemporaryFailure",
    "from_url",
]


class MailBackend(Protocol):
    def send(self, sender: str, recipient: str, message: bytes) -> SendResult: ...

    def close(self) -> None: ...


def from_url(url: str) -> MailBackend:
    """Return the backend a NOTIFIER_MAIL_URL names."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileBackend(Path(unquote(parts.path)))
    if parts.scheme in {"smtp", "smtps"}:
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"NOTIFIER_MAIL_URL has a bad port: {url!r}") from None
        if not parts.hostname:
            raise ConfigError(f"NOTIFIER_MAIL_URL names no host: {url!r}")
        return SmtpBackend(
            host=parts.hostname,
            port=port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=parts.scheme == "smtps",
            starttls=query.get("starttls") in {"true", "1", "yes"},
            verify=query.get("verify", "true") not in {"false", "0", "no"},
            timeout=float(query.get("timeout", 30)),
        )
    raise ConfigError(f"NOTIFIER_MAIL_URL must be smtp://, smtps:// or file://, got {url!r}")


class FileBackend:
    """Write each message as an .eml file: the default, for trying the service out."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, sender: str, recipient: str, message: bytes) -> SendResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Named by content so a re-send after a crash overwrites rather than duplicates.
        name = hashlib.sha256(message).hexdigest()[:24] + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(message)
        os.replace(tmp, self.folder / name)
        return SendResult(reply=f"250 written to {name}", queue_id=name)

    def close(self) -> None:
        pass
