"""Per-strand preferences in words, as the manage page and emails tell them to a subscriber."""

from __future__ import annotations

import calendar

from notifier.settings import current_settings

# Anything with .strand (a Strand), .frequency and .reminders: a Subscription or a Preference.


def frequency_words(frequency: str) -> str:
    """How often, in words with the configured times: 'a weekly digest on Mondays at 08:00'."""
    settings = current_settings()
    if frequency == "immediate":
        return "every update as it is published"
    if frequency == "daily":
        return f"a daily digest at {settings.daily_time:%H:%M}"
    weekday = calendar.day_name[settings.weekly.weekday]
    return f"a weekly digest on {weekday}s at {settings.weekly.at:%H:%M}"


def preference_words(preference) -> str:
    """'Fraud, Error & Debt: every update as it is published, with deadline reminders'."""
    reminders = "with" if preference.reminders else "without"
    return (
        f"{preference.strand.name}: {frequency_words(preference.frequency)}, "
        f"{reminders} deadline reminders"
    )


def summary(preferences) -> str:
    """Every strand's preference in one sentence, strands separated by semicolons."""
    return "; ".join(preference_words(preference) for preference in preferences) + "."
