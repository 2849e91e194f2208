"""Build the bytes of one email: multipart text + HTML, with the headers lists are held to.

The bytes are written directly rather than through EmailMessage: building a message is the
client's main cost when sending in bulk, and every header here is one whose form we control.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache

import css_inline
from markupsafe import escape

from notifier.mail.addresses import AddressError, on_the_wire

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)

_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


@dataclass(frozen=True)
class Attachment:
    """A file sent beside the text and HTML, such as a deadline's .ics."""

    filename: str
    content_type: str  # e.g. 'text/calendar; method=PUBLISH'
    data: bytes


@dataclass(frozen=True)
class Email:
    """What a renderer produces; the delivery engine adds the envelope and headers."""

    to: str
    subject: str
    text: str
    html: str
    # List emails (digests, reminders, announcements...) carry List-Unsubscribe; transactional
    # ones (a confirmation request) carry none, as nobody is on the list yet.
    unsubscribe_url: str | None = None
    # Stand-in -> this message's value, replaced in the text and (escaped) in the HTML when the
    # bytes are built: lets a body rendered once serve many people (emails/templates.py).
    fills: dict[str, str] = field(default_factory=dict)
    # Shared by everyone the email goes to: nothing personal belongs in one.
    attachments: tuple[Attachment, ...] = ()


def one_line(value: str) -> str:
    """Collapse CR, LF, other control characters and whitespace runs so nothing can inject."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in value)
    return " ".join(cleaned.split())


def build_bytes(
    email_: Email,
    *,
    mail_from: str,
    list_id: str,
    message_id: str,
    when: datetime,
    unsubscribe_mailto: str = "",
) -> bytes:
    """Return the message as CRLF bytes; the HTML has its CSS inlined as clients drop <style>."""
    lines = [
        _header("From", mail_from),
        _to(email_.to),
        _header("Subject", email_.subject),
        _date(when),
        f"Message-ID: {one_line(message_id)}\r\n",
        "MIME-Version: 1.0\r\n",
    ]
    if email_.unsubscribe_url:
        lines.append(_header("List-Id", list_id))
        targets = [f"<{one_line(email_.unsubscribe_url)}>"]
        if unsubscribe_mailto:
            targets.append(f"<mailto:{one_line(unsubscribe_mailto)}?subject=unsubscribe>")
        lines.append("List-Unsubscribe: " + ",\r\n ".join(targets) + "\r\n")
        lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    # "=_" never occurs in quoted-printable text, so this boundary cannot clash with a body.
    boundary = "=_" + secrets.token_hex(12)
    alternative = b"".join(
        (
            _part(boundary, "plain", _fill(email_.text, email_.fills)),
            _part(boundary, "html", _fill(inline_css(email_.html), email_.fills, escape)),
            f"--{boundary}--\r\n".encode("ascii"),
        )
    )
    if not email_.attachments:
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n')
        return "".join(lines).encode("utf-8") + alternative
    # Text and HTML as one alternative, then each attachment: multipart/mixed around them.
    outer = "=_" + secrets.token_hex(12)
    lines.append(f'Content-Type: multipart/mixed; boundary="{outer}"\r\n\r\n')
    parts = [
        "".join(lines).encode("utf-8"),
        f"--{outer}\r\n".encode("ascii"),
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"),
        alternative,
    ]
    for attachment in email_.attachments:
        parts.append(_attachment(outer, attachment))
    parts.append(f"--{outer}--\r\n".encode("ascii"))
    return b"".join(parts)


def _attachment(boundary: str, attachment: Attachment) -> bytes:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", attachment.filename) or "attachment"
    encoded = base64.encodebytes(attachment.data).replace(b"\n", b"\r\n")
    return (
        f"--{boundary}\r\n"
        f'Content-Type: {one_line(attachment.content_type)}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii") + encoded


@lru_cache(maxsize=256)
def inline_css(html: str) -> str:
    """Inline the HTML's stylesheet; cached because bulk sends repeat the same HTML."""
    return _inliner.inline(html)


@lru_cache(maxsize=1024)
def _header(name: str, value: str) -> str:
    # The email package folds and RFC 2047-encodes non-ASCII; cached, as subjects repeat.
    return SMTP.fold(name, one_line(value))


def _to(address: str) -> str:
    address = one_line(address)
    with contextlib.suppress(AddressError):
        # An IDN domain as its A-label, as RCPT TO has it; a non-ASCII local part stays UTF-8,
        # which is what SMTPUTF8 carries (and it goes nowhere else).
        address = on_the_wire(address).address
    if _SIMPLE_ADDRESS.fullmatch(address):
        return f"To: {address}\r\n"
    return SMTP.fold("To", address)


@lru_cache(maxsize=16)
def _date(when: datetime) -> str:
    return f"Date: {format_datetime(when)}\r\n"


def _fill(body: str, fills: dict[str, str], quote=str) -> str:
    for stand_in, value in fills.items():
        body = body.replace(stand_in, quote(value))
    return body


def _part(boundary: str, subtype: str, body: str) -> bytes:
    # Quoted-printable keeps every line under the 998-octet limit, however long a paragraph or
    # an inlined style attribute is, while the text stays readable in the raw message.
    crlf = "\r\n".join(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    encoded = binascii.b2a_qp(crlf.encode("utf-8"), istext=True)
    # A line starting "From " is mangled by mbox tools; encoding the F keeps it intact. Plain
    # replaces, not a regular expression: this runs over every body of every message.
    encoded = encoded.replace(b"\r\nFrom ", b"\r\n=46rom ")
    if encoded.startswith(b"From "):
        encoded = b"=46rom " + encoded[5:]
    if not encoded.endswith(b"\r\n"):
        encoded += b"\r\n"
    return (
        f"--{boundary}\r\n"
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + encoded
