"""What every list email shares: the subscriber, manage and unsubscribe links, local times."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from notifier.emails.templates import once, render_pair, sharing_now
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Outbox, Subscriber
from notifier.settings import current_settings
from notifier.subscriptions.tokens import link

# Stand-ins for the personal links in a shared render: random, so no feed text can hold one.
STAND_INS = {
    "manage_url": f"https://fill-{secrets.token_hex(8)}.invalid/manage",
    "unsubscribe_url": f"https://fill-{secrets.token_hex(8)}.invalid/unsubscribe",
    "mute_url": f"https://fill-{secrets.token_hex(8)}.invalid/mute",
}


def subscriber_of(row: Outbox) -> Subscriber:
    subscriber = db.session.get(Subscriber, row.subscriber_id) if row.subscriber_id else None
    if subscriber is None:
        raise LookupError(f"outbox {row.id} has no subscriber any more")
    return subscriber


def list_email(
    row: Outbox,
    subscriber: Subscriber,
    subject: str,
    template: str,
    *,
    personal: dict[str, str] | None = None,
    attachments: tuple = (),
    **context,
):
    """Render a list email with its footer links and List-Unsubscribe target.

    The body is rendered once per distinct context within a delivery pass, with stand-ins for
    the personal links (manage, unsubscribe, and any in personal, named as in STAND_INS);
    each message fills in its own when it is built. Never put a personal value in context.
    """
    site_name = current_settings().site_name
    links = {
        "manage_url": link("manage", subscriber),
        "unsubscribe_url": link("unsubscribe", subscriber),
        **(personal or {}),
    }
    email = Email(
        to=row.to_address,
        subject=subject,
        text="",
        html="",
        unsubscribe_url=links["unsubscribe_url"],
        attachments=tuple(attachments),
    )
    if not sharing_now():
        text, html = render_pair(template, site_name=site_name, **links, **context)
        return replace(email, text=text, html=html)
    text, html = once(
        ("list_email", template, site_name, tuple(links), repr(sorted(context.items()))),
        lambda: render_pair(
            template, site_name=site_name, **{n: STAND_INS[n] for n in links}, **context
        ),
    )
    fills = {STAND_INS[name]: value for name, value in links.items()}
    return replace(email, text=text, html=html, fills=fills)


def local_time(moment: datetime) -> str:
    """A moment as people read it in the service's zone: 'Friday 29 August 2014, 23:59 BST'."""
    local = moment.astimezone(current_settings().tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local:%Z}"


def short_title(title: str) -> str:
    """A WordPress title's first part: 'Disclosure standard | Proposal for comments' -> 1st."""
    return title.split(" | ")[0].strip() or title


def summary(text: str, limit: int = 280) -> str:
    """The first words of an update's text, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"
