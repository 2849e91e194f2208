"""A test send: the announcement as it stands, to the admin's own address, once per revision."""

from __future__ import annotations

from datetime import datetime

from notifier.announcements.drafts import audit
from notifier.delivery.outbox import enqueue
from notifier.models import Admin, Announcement
from notifier.models.email_kinds import AnnouncementTestPayload, announcement_test_key


def send_test(item: Announcement, admin: Admin, now: datetime) -> bool:
    """Queue the test email (the caller commits); False if this revision already went to them."""
    queued = enqueue(
        announcement_test_key(item.id, item.revision, admin.id),
        "announcement_test",
        admin.email,
        payload=AnnouncementTestPayload(announcement=item.id, revision=item.revision),
        now=now,
    )
    if queued:
        audit(item, admin, "announcement.test", now, {"to": admin.email, "revision": item.revision})
    return queued
