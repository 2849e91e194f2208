"""Announcements: the admin's Markdown as the text part, rendered and sanitised as HTML."""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

from notifier.emails.list_email import list_email, subscriber_of
from notifier.emails.templates import render_pair
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Announcement, Outbox
from notifier.models.email_kinds import AnnouncementPayload, AnnouncementTestPayload, payload_of
from notifier.settings import current_settings


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


def announcement_test(row: Outbox) -> Email:
    """A test send to an admin: marked as a test, its links lead back to the announcement.

    The admin is no subscriber, and a subscriber's real links would let a click on the test
    unsubscribe someone else; these show the footer as it will be, and lead nowhere harmful.
    """
    item = db.session.get(Announcement, payload_of(row, AnnouncementTestPayload)["announcement"])
    settings = current_settings()
    back = f"{settings.base_url}/admin/announcements/{item.id}/preview"
    text, html = render_pair(
        "announcement",
        site_name=settings.site_name,
        manage_url=back,
        unsubscribe_url=back,
        heading=item.subject,
        body_text=item.body_markdown,
        body_html=markdown_html(item.body_markdown),
    )
    return Email(
        to=row.to_address,
        subject=f"[Test] {item.subject}",
        text=text,
        html=html,
        unsubscribe_url=back,
    )
