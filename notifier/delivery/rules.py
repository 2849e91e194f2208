"""Who may receive what, checked at send time: a subscriber's status may change after queueing."""

from __future__ import annotations

from notifier.models import Subscriber

# Emails about the list's content: only for people who confirmed they want them.
LIST_KINDS = frozenset({"digest", "immediate", "reminder", "deadline_moved", "announcement"})

# kind -> the subscriber statuses it may be sent to. A kind not listed goes to confirmed only.
RECIPIENT_STATUSES: dict[str, frozenset[str]] = {
    **{kind: frozenset({"confirmed"}) for kind in LIST_KINDS},
    # The confirmation request is the one email an unconfirmed address may get.
    "confirm": frozenset({"pending"}),
    "already_subscribed": frozenset({"confirmed"}),
}
DEFAULT_STATUSES = frozenset({"confirmed"})


def refusal(kind: str, subscriber: Subscriber | None) -> str | None:
    """Why this email must not be sent to this subscriber now, or None if it may be."""
    if subscriber is None:
        # An email for a subscriber who has since been deleted has nobody to go to.
        return "subscriber no longer exists" if kind in RECIPIENT_STATUSES else None
    if subscriber.status == "suppressed":
        return f"address suppressed ({subscriber.suppressed_reason or 'no reason given'})"
    allowed = RECIPIENT_STATUSES.get(kind, DEFAULT_STATUSES)
    if subscriber.status not in allowed:
        wanted = "/".join(sorted(allowed))
        return f"{kind} goes only to {wanted} subscribers, not {subscriber.status}"
    return None
