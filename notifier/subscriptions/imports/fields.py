"""Reading one field of an import row: its text, a true or false, a moment, an IP address."""

from __future__ import annotations

import ipaddress
import socket
from datetime import datetime
from functools import lru_cache

from notifier.moments import BadMoment, parse_moment
from notifier.settings import current_settings
from notifier.subscriptions.choices import InvalidChoice
from notifier.subscriptions.csv_cells import unguard

BOOLEANS = {"true": True, "false": False}


def cell(text: str | None) -> str:
    """The field's text, trimmed, with any formula guard an export put on it taken off."""
    if not text:
        return ""
    text = text.strip()
    return unguard(text).strip() if text.startswith("'") else text


def boolean(text: str) -> bool:
    if text.lower() not in BOOLEANS:
        raise InvalidChoice("reminders", f"must be true or false, not {text!r}")
    return BOOLEANS[text.lower()]


def moment(field: str, text: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        # Exports always carry an offset; a hand-written time without one is local, as elsewhere.
        found = _parsed(text, current_settings().tz)
    except BadMoment as exc:
        raise InvalidChoice(field, str(exc)) from None
    if found > now:
        raise InvalidChoice(field, f"{text} is in the future")
    return found


@lru_cache(maxsize=4096)
def _parsed(text: str, zone) -> datetime:
    # A list's rows share a few consent dates: each is read once.
    return parse_moment(text, zone)


def ip_address(text: str) -> str | None:
    if not text:
        return None
    try:
        # A dotted quad already written the way ipaddress would write it (the common case):
        # inet_pton is many times faster, and refuses what ipaddress refuses.
        if socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, text)) == text:
            return text
    except OSError:
        pass
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InvalidChoice("consent_ip", f"{text!r} is not an IP address") from None
