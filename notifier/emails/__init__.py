"""Renderers: one per kind of email, turning an outbox row into an Email; the table lists all."""

from __future__ import annotations

from collections.abc import Callable

from notifier.emails import announcement, digest, reminder, subscription
from notifier.mail.message import Email
from notifier.models import Outbox

Renderer = Callable[[Outbox], Email]

RENDERERS: dict[str, Renderer] = {
    "confirm": subscription.confirmation,
    "already_subscribed": subscription.already_subscribed,
    "immediate": digest.immediate,
    "digest": digest.digest,
    "reminder": reminder.reminder,
    "deadline_moved": reminder.deadline_moved,
    "announcement": announcement.announcement,
    "announcement_test": announcement.announcement_test,
}


def render(row: Outbox) -> Email:
    """Render one outbox row; raise KeyError for a kind with no renderer."""
    return RENDERERS[row.kind](row)


def kinds() -> list[str]:
    """Every kind of email there is a renderer for."""
    return sorted(RENDERERS)
