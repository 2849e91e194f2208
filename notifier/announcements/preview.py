"""An announcement as one recipient will get it: the real bytes, read back into their parts."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime

from notifier.delivery.compose import Composer
from notifier.models import Announcement, Outbox, Subscriber
from notifier.models.email_kinds import AnnouncementPayload, announcement_prefix
from notifier.settings import current_settings

# The headers an admin checks; the rest (MIME plumbing) would only hide them.
SHOWN = ("From", "To", "Subject", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


@dataclass(frozen=True)
class Preview:
    headers: list[tuple[str, str]]
    text: str
    html: str
    size: int


def outbox_row(item: Announcement, subscriber: Subscriber) -> Outbox:
    """The outbox row the fan-out would write for this subscriber; not stored."""
    return Outbox(
        id=0,
        key=announcement_prefix(item.id) + str(subscriber.id),
        kind="announcement",
        subscriber_id=subscriber.id,
        to_address=subscriber.email,
        payload=AnnouncementPayload(announcement=item.id),
        announcement_id=item.id,
    )


def preview(item: Announcement, subscriber: Subscriber, now: datetime) -> Preview:
    """Build the message exactly as the delivery engine would, and read it back."""
    raw = Composer(current_settings()).message(outbox_row(item, subscriber), now)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Preview(
        headers=[(name, str(message[name])) for name in SHOWN if message[name] is not None],
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        size=len(raw),
    )
