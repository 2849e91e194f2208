"""The consent records of a batch of plans, as consent.record() writes them, in one copy."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from notifier.models import ConsentRecord
from notifier.subscriptions.consent import FORM_VERSION, WORDING
from notifier.subscriptions.imports.bulk import Bulk
from notifier.subscriptions.imports.plan import Plan


def record_consent(bulk: Bulk, plans: list[Plan]) -> None:
    records = [
        consent_record(plan, action, moment, ip, source)
        for plan in plans
        for action, moment, ip, source in plan.consent
    ]
    bulk.copy(ConsentRecord.__table__, CONSENT_COLUMNS, records)


CONSENT_COLUMNS = (
    "subscriber_id",
    "action",
    "created_at",
    "ip",
    "user_agent",
    "source",
    "form_version",
    "wording",
    "strands",
    "preferences",
)


def consent_record(plan: Plan, action: str, moment: datetime, ip: str | None, source: str) -> tuple:
    """A consent_records row (CONSENT_COLUMNS) of the row's choices, as consent.record() has it."""
    strands, preferences = _agreed(plan.row.choices.preferences)
    return (
        plan.subscriber_id,
        action,
        moment,
        ip,
        None,
        source,
        FORM_VERSION,
        WORDING,
        strands,
        preferences,
    )


@lru_cache(maxsize=1024)
def _agreed(preferences: tuple) -> tuple[str, str]:
    """The strands and preferences columns as JSON text, in the strands' listed order.

    Remembered: most rows of a list make one of a few choices.
    """
    listed = sorted(preferences, key=lambda p: (p.strand.position, p.strand.id))
    return (
        json.dumps([p.strand.slug for p in listed]),
        json.dumps([p.as_record() for p in listed]),
    )
