"""Mail backends behind one small interface, chosen by NOTIFIER_MAIL_URL."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from notifier.mail.addresses import AddressError, on_the_wire
from notifier.settings import ConfigError


@dataclass(frozen=True)
class SendResult:
    reply: str
    queue_id: str | None = None


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or the server could not be reached."""


class ConnectionLost(TemporaryFailure):
    """The server could not be reached or went away: nothing else will get through for now."""

    def __init__(self, message: str, before_send: bool = False):
        super().__init__(message)
        # True when no byte of this message reached a server: it was never in flight.
        self.before_send = before_send


class PermanentFailure(Exception):
    """Never retry: a 5xx reply. The code and stage tell bounce handling what happened."""

    def __init__(self, message: str, code: int | None = None, stage: str = "data"):
        super().__init__(message)
        self.code = code
        # "mail" (our sender was refused), "rcpt" or "data" (the recipient was refused), or
        # "address" (we cannot write this address on this connection: no server refused it).
        self.stage = stage

    @property
    def is_bounce(self) -> bool:
        return self.stage not in {"mail", "address"}


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


class SmtpBackend:
    """Send over one persistent SMTP connection, reconnecting when it drops."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        starttls: bool = False,
        verify: bool = True,
        timeout: float = 30.0,
    ):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.implicit_tls, self.starttls = implicit_tls, starttls
        self.timeout = timeout
        self.context = ssl.create_default_context()
        if not verify:
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            conn = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                conn.starttls(context=self.context)
        conn.ehlo_or_helo_if_needed()
        if self.username:
            conn.login(self.username, self.password or "")
        return conn

    def send(self, sender: str, recipient: str, message: bytes) -> SendResult:
        try:
            fresh = self._conn is None
            if fresh:
                self._open()
            try:
                return self._transaction(sender, recipient, message)
            except _StaleConnection:
                if fresh:
                    raise
                # A pooled connection the server closed while idle: one fresh try. Nothing of
                # this message reached the server yet, so the retry cannot duplicate it.
                self._drop()
                self._open()
                return self._transaction(sender, recipient, message)
        except ConnectionLost:
            self._drop()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            failure = _classify(exc)
            if isinstance(failure, ConnectionLost):
                self._drop()
            raise failure from exc
        except (PermanentFailure, TemporaryFailure):
            raise
        except Exception:
            # Anything else left the session in an unknown state (a command half written):
            # start the next message on a fresh connection, and let the caller fail this one.
            self._drop()
            raise

    def _open(self) -> None:
        try:
            self._conn = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionLost(
                f"cannot connect to {self.host}:{self.port}: {exc.__class__.__name__}: {exc}",
                before_send=True,
            ) from exc

    def _transaction(self, sender: str, recipient: str, message: bytes) -> SendResult:
        conn = self._conn
        recipient, options = _envelope_recipient(conn, recipient)
        try:
            code, reply = conn.mail(sender, options)
        except smtplib.SMTPServerDisconnected as exc:
            raise _StaleConnection(str(exc)) from exc
        if code != 250:
            conn.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = conn.rcpt(recipient)
        if code not in (250, 251):
            conn.rset()
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        code, reply = conn.data(message)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        text = reply.decode("utf-8", "replace")
        return SendResult(reply=f"{code} {text}", queue_id=_queue_id(text))

    def _drop(self) -> None:
        if self._conn is not None:
            # Closing a broken socket may fail too; there is nothing left to do with it.
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.quit()
        self._drop()


def _envelope_recipient(conn: smtplib.SMTP, recipient: str) -> tuple[str, tuple[str, ...]]:
    """RCPT TO's address and the MAIL FROM options it needs; PermanentFailure if it cannot go."""
    try:
        wire = on_the_wire(recipient)
    except AddressError as exc:
        raise PermanentFailure(str(exc), stage="address") from None
    if not wire.needs_smtputf8:
        return wire.address, ()
    if not conn.has_extn("smtputf8"):
        raise PermanentFailure(
            f"{recipient} has a non-ASCII local part, which needs SMTPUTF8, and the relay "
            "does not offer it",
            stage="address",
        )
    return wire.address, ("SMTPUTF8",)


class _StaleConnection(smtplib.SMTPServerDisconnected):
    """The connection was closed before this message's transaction began."""


def _classify(exc: Exception) -> Exception:
    """Map an smtplib error to a temporary or permanent failure by its reply code."""
    stage = "data"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        stage = "rcpt"
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
        if isinstance(exc, smtplib.SMTPSenderRefused):
            stage = "mail"
    else:
        return ConnectionLost(f"connection: {exc.__class__.__name__}: {exc}")
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {text}", code, stage)
    if code == 421 or code == -1:
        # 421: the server is closing the channel; -1: smtplib saw the connection end.
        return ConnectionLost(f"{code} {text}")
    return TemporaryFailure(f"{code} {text}")


def _queue_id(reply: str) -> str | None:
    """Pull the queue id out of replies like '250 2.0.0 Ok: queued as 4ABC12'."""
    match = re.search(r"queued as ([\w.-]+)", reply, re.IGNORECASE) or re.search(
        r"\bid=([\w.-]+)", reply
    )
    return match[1] if match else None
