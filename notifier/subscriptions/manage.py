"""Change what a subscriber gets: strands, frequency, reminders."""

from __future__ import annotations

from datetime import datetime

from notifier.models import Subscriber
from notifier.subscriptions import consent
from notifier.subscriptions.choices import Choices
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.subscribe import has_choices, set_choices


def change_preferences(
    subscriber: Subscriber, choices: Choices, origin: Origin, now: datetime
) -> bool:
    """Apply new choices and record them; return False when nothing changed."""
    if has_choices(subscriber, choices):
        return False
    set_choices(subscriber, choices, now)
    consent.record(subscriber, "change", origin, now)
    return True
