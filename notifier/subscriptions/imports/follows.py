"""An import row's subscriptions: for a new address, and as changes to a pending one's.

Plain functions, no writes. Choices are set as set_choices() does (subscriptions/subscribe.py),
digest cursors included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from notifier.subscriptions.choices import Choices
from notifier.subscriptions.imports.row import Row

if TYPE_CHECKING:
    from notifier.subscriptions.imports.plan import Existing, Plan


class Follow(NamedTuple):
    """A subscription as it stands: one strand's frequency, reminders and digest cursor."""

    frequency: str
    reminders: bool
    digested_until: datetime | None


@lru_cache(maxsize=4096)
def new_follows(choices: Choices) -> Mapping[int, Follow]:
    # Rows share a few choices; read-only, as the same mapping stands in many plans.
    return MappingProxyType(
        {p.strand.id: Follow(p.frequency, p.reminders, None) for p in choices.preferences}
    )


def same_choices(existing: Existing, row: Row) -> bool:
    held = {(s, f.frequency, f.reminders) for s, f in existing.follows.items()}
    wanted = {(p.strand.id, p.frequency, p.reminders) for p in row.choices.preferences}
    return held == wanted


def plan_follows(plan: Plan, existing: Existing, now: datetime, sent_until: Callable) -> None:
    """set_choices() for a pending address, as changes to its subscriptions."""
    wanted = {p.strand.id: p for p in plan.row.choices.preferences}
    kept = {s: f for s, f in existing.follows.items() if s in wanted}
    plan.follows_dropped = [s for s in existing.follows if s not in wanted]
    digested = [
        f.digested_until
        for f in kept.values()
        if f.frequency != "immediate" and f.digested_until is not None
    ]
    # A pending address gets no digest yet: a new strand's cursor starts at confirmation.
    cursor = max(digested) if digested else (now if existing.status == "confirmed" else None)
    for strand_id, preference in wanted.items():
        held = kept.get(strand_id)
        if held is None:
            plan.follows_added[strand_id] = Follow(
                preference.frequency, preference.reminders, cursor
            )
            continue
        digested_until = held.digested_until
        if held.frequency == "immediate" and preference.frequency != "immediate":
            # Everything up to the last fan-out went out one by one: the digest starts there.
            digested_until = _later(digested_until, sent_until())
        follow = Follow(preference.frequency, preference.reminders, digested_until)
        if follow != held:
            plan.follows_changed[strand_id] = follow


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((moment for moment in (a, b) if moment is not None), default=None)
