"""What each row of an import does to the list: plain functions of the row and what is there.

The rules are those of a single import row (see run.py): a row's status, when it has one, is
kept; without one, rows with consent arrive confirmed and the others are asked to confirm.
An address already confirmed, unsubscribed or suppressed is left as it is: an old list must
not override a later choice to leave, nor a bounce. Choices are set as set_choices() does
(subscriptions/subscribe.py), digest cursors included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from notifier.subscriptions.imports.follows import Follow, new_follows, plan_follows, same_choices
from notifier.subscriptions.imports.row import DEPARTED, Row
from notifier.subscriptions.notices import RESEND_WINDOW

SUBSCRIBER_STATE = (
    "status",
    "confirmed_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
)


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
        plan.follows_added = new_follows(row.choices)
        plan.confirm = outcome == "asked"
        if plan.confirm:
            plan.consent.append(("subscribe", now, None, "import"))
    else:
        plan = Plan(row, outcome, "updated", existing.id)
        if outcome != "asked" or not same_choices(existing, row):
            plan_follows(plan, existing, now, sent_until)
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
