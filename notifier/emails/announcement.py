"""Announcements: the admin's Markdown as the text part, rendered and sanitised as HTML."""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

from notifier.emails.list_email import list_email, subscriber_of
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Announcement, Outbox
from notifier.models.email_kinds import AnnouncementPayload, payload_of


def markdown_html(source: str) -> Markup:
    """Markdown to HTML with nothing an admin's paste could smuggle in (scripts, styles)."""
    # Safe to mark: nh3 has just stripped everything but harmless markup.
    return Markup(nh3.clean(markdown.markdown(source, extensions=["extra", "sane_lists"])))  # noqa: S704


def announcement(row: Outbox) -> Email:
    item = db.session.get(Announcement, payload_of(row, AnnouncementPayload)["announcement"])
    return list_email(
        row,
        subscriber_of(row),
        item.subject,
        "announcement",
        heading=item.subject,
        body_text=item.body_markdown,
        body_html=markdown_html(item.body_markdown),
    )
