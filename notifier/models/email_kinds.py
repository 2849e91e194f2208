"""Each kind of email's outbox key and payload: written down here once, built and read by name.

The key makes a second insert of the same email impossible, so it names everything that makes
the email one of a kind; the payload is what its renderer needs besides the subscriber. The
schedules build both in SQL (one INSERT … SELECT for many subscribers), the renderers in
emails/ read them back: both sides use the shapes below, never a string of their own.
A key ends with the subscriber's id; the prefix functions give everything before it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, TypeVar, cast

from notifier.models.outbox import Outbox

P = TypeVar("P")


class ImmediatePayload(TypedDict):
    update: int


def immediate_prefix(update_id: int) -> str:
    return f"immediate:{update_id}:"


class DigestPayload(TypedDict):
    run: int
    since: str  # ISO 8601: the window starts at the subscriber's cursor (exclusive) ...
    until: str  # ... and ends here, the period's end (inclusive)
    updates: list[int]


def digest_prefix(frequency: str, period_key: str) -> str:
    return f"digest:{frequency}:{period_key}:"


def digest_frequency(key: str) -> str:
    """daily or weekly: the frequency a digest's key names."""
    return key.split(":")[1]


class ReminderPayload(TypedDict):
    deadline: int
    version: int  # the deadline's version when queued: a moved deadline is reminded afresh
    offset: int  # days before the deadline
    at: str  # ISO 8601: the deadline as it was when queued, so a retry says the same


def reminder_prefix(deadline_id: int, version: int, offset: int) -> str:
    return f"{reminder_version_prefix(deadline_id, version)}d{offset}:"


def reminder_version_prefix(deadline_id: int, version: int | None = None) -> str:
    """Every reminder key of one version of a deadline starts so (any version: None).

    Only for SQL LIKE: the prefix has no wildcard, so append "%".
    """
    return f"reminder:{deadline_id}:v" + ("" if version is None else f"{version}:")


class MovedPayload(TypedDict):
    deadline: int
    version: int
    at: str  # ISO 8601, the new deadline
    previous_at: str | None  # ISO 8601, the deadline it replaced


def moved_prefix(deadline_id: int, version: int) -> str:
    return f"deadline_moved:{deadline_id}:v{version}:"


class AnnouncementPayload(TypedDict):
    announcement: int


def announcement_prefix(announcement_id: int) -> str:
    return f"announcement:{announcement_id}:"


class AnnouncementTestPayload(TypedDict):
    announcement: int
    revision: int  # the announcement's revision sent: each revision is tested once per admin


def announcement_test_key(announcement_id: int, revision: int, admin_id: int) -> str:
    """To an admin, not a subscriber: the key ends with the admin's id."""
    return f"announcement-test:{announcement_id}:{revision}:{admin_id}"


def confirm_key(subscriber_id: int, window: datetime) -> str:
    """One confirmation request per subscriber per resend window (window: when it opened)."""
    return f"confirm:{subscriber_id}:{window.isoformat()}"


def already_subscribed_key(subscriber_id: int, window: datetime) -> str:
    return f"already_subscribed:{subscriber_id}:{window.isoformat()}"


def fields(shape: type) -> frozenset[str]:
    """The keys a payload shape has; the SQL that builds one must give exactly these."""
    return frozenset(shape.__annotations__)


def payload_of(row: Outbox, shape: type[P]) -> P:
    """The row's payload read as its kind's shape (no copy, no check: the schedules wrote it)."""
    return cast(P, row.payload)
