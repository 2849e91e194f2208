"""Turn an outbox row into the bytes to send: render, build, sign, check the size."""

from __future__ import annotations

from datetime import datetime

from notifier.delivery.tracking import tracking_from
from notifier.emails import render
from notifier.mail.message import build_bytes
from notifier.mail.signing import signer_from
from notifier.models import Outbox


class TooLarge(Exception):
    """The message is over mail_max_bytes: no relay would take it."""


class Composer:
    """What stays the same for every message of a pass: settings, signer and our marks."""

    def __init__(self, settings):
        self.settings = settings
        self.signer = signer_from(settings)
        self.tracking = tracking_from(settings)

    def return_path(self, row: Outbox) -> str:
        return self.tracking.return_path(row.id)

    def message_id(self, row: Outbox) -> str:
        return self.tracking.message_id(row.id, row.key)

    def message(self, row: Outbox, when: datetime) -> bytes:
        """The signed bytes; raise TooLarge, or whatever the renderer raised."""
        settings = self.settings
        message = build_bytes(
            render(row),
            mail_from=settings.mail_from,
            list_id=settings.list_id,
            message_id=self.message_id(row),
            when=when,
            unsubscribe_mailto=settings.list_unsubscribe_mailto,
        )
        if self.signer:
            message = self.signer.sign(message)
        if len(message) > settings.mail_max_bytes:
            limit = settings.mail_max_bytes
            raise TooLarge(f"message is {len(message)} bytes, over mail_max_bytes ({limit})")
        return message
