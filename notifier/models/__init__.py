"""The whole data model; import models from here."""

from notifier.models.admin import Admin, ApiToken, AuditEntry
from notifier.models.base import utcnow
from notifier.models.calendar import CalendarToken, Meeting, Mute
from notifier.models.content import Deadline, Feed, Update, update_strands
from notifier.models.outbox import (
    Announcement,
    Bounce,
    DeliveryWorker,
    JobRun,
    Lock,
    Outbox,
    ScheduledRun,
)
from notifier.models.people import ConsentRecord, Strand, Subscriber, Subscription
from notifier.models.privacy import Erasure

__all__ = [
    "Admin",
    "Announcement",
    "ApiToken",
    "AuditEntry",
    "Bounce",
    "CalendarToken",
    "ConsentRecord",
    "Deadline",
    "DeliveryWorker",
    "JobRun",
    "ScheduledRun",
    "Erasure",
    "Feed",
    "Lock",
    "Meeting",
    "Mute",
    "Outbox",
    "Strand",
    "Subscriber",
    "Subscription",
    "Update",
    "update_strands",
    "utcnow",
]
