"""What each row of an import does to the list: plain functions of the row and what is there.

The rules are those of a single import row (see run.py): a row's status, when it has one, is
kept; without one, rows with consent arrive confirmed and the others are asked to confirm.
An address already confirmed, unsubscribed or suppressed is left as it is: an old list must
not override a later choice to leave, nor a bounce. Choices are set as set_choices() does
(subscriptions/subscribe.py), digest cursors included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from notifier.subscriptions.choices import Choices
from notifier.subscriptions.consent import FORM_VERSION, WORDING
from notifier.subscriptions.imports.row import DEPARTED, Row
from notifier.subscriptions.notices import RESEND_WINDOW

SUBSCRIBER_STATE = (
    "status",
    "confirmed_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
)


class Follow(NamedTuple):
    """A subscription as it stands: one strand's frequency, reminders and digest cursor."""

    frequency: str
    reminders: bool
    digested_until: datetime | None


@dataclass(frozen=True)
class Existing:
    """An address already on the list, as one lookup a batch finds it."""

    id: int
    status: str
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    suppressed_at: datetime | None
    suppressed_reason: str | None
    confirmation_sent_at: datetime | None
    # strand id -> Follow; looked up for pending addresses only, the only ones a row changes.
    follows: dict[int, Follow] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    """One row's effect. subscriber_id is None for a new address until it is inserted."""

    row: Row
    outcome: str  # confirmed, asked (to confirm), departed, kept (as it was)
    kind: str  # new, updated, unchanged
    subscriber_id: int | None = None
    # The subscriber's state columns to write (all of them for a new address).
    state: dict = field(default_factory=dict)
    # A new address's is shared by the plans of the same choices, so read-only.
    follows_added: Mapping[int, Follow] = field(default_factory=dict)
    follows_changed: dict[int, Follow] = field(default_factory=dict)
    follows_dropped: list[int] = field(default_factory=list)
    # (action, moment, ip, source) of each consent record, in order.
    consent: list[tuple] = field(default_factory=list)
    # Queue a confirmation request: forced for a new address, else once per window.
    confirm: bool = False
    # For a pending address the file says has left: why its queued emails are cancelled.
    cancel_reason: str | None = None


def outcome_of(row: Row) -> str:
    status = row.state.status if row.state else None
    if status in DEPARTED:
        return "departed"
    if status == "pending" or row.consent_at is None:
        return "asked"
    return "confirmed"


def plan_row(row: Row, existing: Existing | None, now: datetime, sent_until: Callable) -> Plan:
    """The effect of one row on the address as it stands (None: not on the list)."""
    if existing is not None and existing.status != "pending":
        return Plan(row, "kept", "unchanged", existing.id)
    outcome = outcome_of(row)
    if existing is None:
        plan = Plan(row, outcome, "new", state=_new_state(row, outcome, now))
        plan.follows_added = _new_follows(row.choices)
        plan.confirm = outcome == "asked"
        if plan.confirm:
            plan.consent.append(("subscribe", now, None, "import"))
    else:
        plan = Plan(row, outcome, "updated", existing.id)
        if outcome != "asked" or not _same_choices(existing, row):
            _set_choices(plan, existing, now, sent_until)
            if outcome == "asked":
                plan.consent.append(("subscribe", now, None, "import"))
        if outcome == "asked":
            sent = existing.confirmation_sent_at
            plan.confirm = sent is None or sent <= now - RESEND_WINDOW
        elif outcome == "departed":
            plan.cancel_reason = f"imported as {row.state.status}"
        plan.state = _changed_state(row, outcome, existing, now)
    if row.consent_at is not None:
        plan.consent.append(("import", row.consent_at, row.consent_ip, row.consent_source))
    if plan.kind == "updated" and not (
        plan.state
        or plan.consent
        or plan.follows_added
        or plan.follows_changed
        or plan.follows_dropped
    ):
        # Still pending with the same choices: at most the request to confirm again.
        plan.kind = "unchanged"
    return plan


@lru_cache(maxsize=4096)
def _new_follows(choices: Choices) -> Mapping[int, Follow]:
    # Rows share a few choices; read-only, as the same mapping stands in many plans.
    return MappingProxyType(
        {p.strand.id: Follow(p.frequency, p.reminders, None) for p in choices.preferences}
    )


def _new_state(row: Row, outcome: str, now: datetime) -> dict:
    state = dict.fromkeys(SUBSCRIBER_STATE)
    state["status"] = "pending"
    if outcome == "confirmed":
        state["status"] = "confirmed"
        state["confirmed_at"] = (row.state and row.state.confirmed_at) or row.consent_at
    elif outcome == "departed":
        state.update(_departed(row, now))
    return state


def _changed_state(row: Row, outcome: str, existing: Existing, now: datetime) -> dict:
    if outcome == "confirmed":
        new = {
            "status": "confirmed",
            "confirmed_at": (row.state and row.state.confirmed_at) or row.consent_at,
        }
    elif outcome == "departed":
        new = _departed(row, now)
    else:
        return {}
    return {key: value for key, value in new.items() if getattr(existing, key) != value}


def _departed(row: Row, now: datetime) -> dict:
    """Someone who left or bounced, exactly as the file says: never revived, never mailed."""
    state = row.state
    values = {
        "status": state.status,
        "confirmed_at": state.confirmed_at,
        "unsubscribed_at": state.unsubscribed_at
        or (now if state.status == "unsubscribed" else None),
    }
    if state.status == "suppressed":
        values["suppressed_at"] = state.suppressed_at or now
        values["suppressed_reason"] = state.suppressed_reason or "suppressed in the imported list"
    return values


def _same_choices(existing: Existing, row: Row) -> bool:
    held = {(s, f.frequency, f.reminders) for s, f in existing.follows.items()}
    wanted = {(p.strand.id, p.frequency, p.reminders) for p in row.choices.preferences}
    return held == wanted


def _set_choices(plan: Plan, existing: Existing, now: datetime, sent_until: Callable) -> None:
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
