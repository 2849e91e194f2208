"""The SMTP backend: one persistent connection, and smtplib's errors as our failures."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl

from notifier.mail.addresses import AddressError, on_the_wire
from notifier.mail.results import ConnectionLost, PermanentFailure, SendResult, TemporaryFailure


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
