"""Build the bytes of one email: multipart text + HTML, with the headers lists are held to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

import css_inline

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


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
    extra_headers: dict[str, str] = field(default_factory=dict)


def sender_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def one_line(value: str) -> str:
    """Collapse CR, LF and other whitespace runs so no value can inject a header."""
    return " ".join(value.split())


def build(
    email: Email,
    *,
    mail_from: str,
    list_id: str,
    message_id: str,
    when: datetime,
    unsubscribe_mailto: str = "",
) -> EmailMessage:
    """Return the message; HTML has its CSS inlined because many clients drop <style>."""
    # SMTP policy: CRLF line ends and folded headers, as the wire wants them.
    msg = EmailMessage(policy=SMTP)
    msg["From"] = mail_from
    msg["To"] = Address(addr_spec=email.to)
    msg["Subject"] = one_line(email.subject)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    if email.unsubscribe_url:
        msg["List-Id"] = list_id
        targets = [f"<{email.unsubscribe_url}>"]
        if unsubscribe_mailto:
            targets.append(f"<mailto:{unsubscribe_mailto}?subject=unsubscribe>")
        msg["List-Unsubscribe"] = ", ".join(targets)
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.extra_headers.items():
        msg[name] = one_line(value)
    # Quoted-printable keeps every line under the 998-octet limit, however long a paragraph or
    # an inlined style attribute is, while the text stays readable in the raw message.
    msg.set_content(email.text, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        _inliner.inline(email.html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    return msg
