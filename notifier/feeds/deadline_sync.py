"""Keep an update's stored Deadline in step with what its text says.

When an edited update no longer names a deadline, a parsed deadline is marked cancelled rather
than kept: the text is our only source, reminders must not quote a sentence the site has
removed, and an admin can restore the date with a correction. If a later edit names a date
again, the deadline comes back. A deadline an admin set is never touched by a poll.
"""

from __future__ import annotations

import re
from datetime import datetime

from notifier.extensions import db
from notifier.feeds.deadlines import FoundDeadline, find_deadline
from notifier.models import Deadline, Update

# The " (url)" that the plain text adds after link labels: URLs carry dates that are not
# deadlines (/2031-07-15/), and the sentence we quote reads better without them.
_LINK_URL = re.compile(r" \((?:https?|mailto):[^\s()]*\)")


def read_deadline(update: Update, tz, now: datetime) -> FoundDeadline | None:
    """Find the deadline in the update's title and plain text (without link URLs)."""
    text = _LINK_URL.sub("", f"{update.title}\n\n{update.content_text}")
    return find_deadline(text, update.published_at or now, tz)


def sync_deadline(update: Update, found: FoundDeadline | None, now: datetime) -> None:
    """Insert, move, refresh or cancel the update's parsed deadline; write only what changed."""
    current = update.deadline
    if current is not None and current.source == "admin":
        return
    if current is None:
        if found is not None:
            db.session.add(
                Deadline(
                    update=update,
                    at=found.at,
                    previous_at=found.previous_at,
                    sentence=found.sentence,
                    weekday_mismatch=found.weekday_mismatch,
                    low_confidence=found.low_confidence,
                    created_at=now,
                    updated_at=now,
                )
            )
        return
    changes: dict = {}
    if found is None:
        changes["cancelled"] = True
    else:
        changes.update(
            cancelled=False,
            sentence=found.sentence,
            weekday_mismatch=found.weekday_mismatch,
            low_confidence=found.low_confidence,
        )
        if found.at != current.at:
            changes.update(previous_at=current.at, at=found.at, version=current.version + 1)
    changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if changes:
        for key, value in changes.items():
            setattr(current, key, value)
        current.updated_at = now
