"""Read an email address as the list keeps it: checked, trimmed and lower-cased."""

from __future__ import annotations

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from notifier.subscriptions.choices import InvalidChoice
from notifier.subscriptions.csv_cells import FORMULA_STARTS

# An unquoted ASCII local part (RFC 5322 dot-atom), as email_validator reads one: such a part
# it accepts unchanged up to 64 characters. Most addresses are like this, and checking them
# here with the domain's verdict remembered is some 30 times faster, which a 100,000-row
# import needs; anything else takes the full check.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def normalise_email(raw: str | None) -> str:
    """Return the address trimmed and lower-cased; raise InvalidChoice if it is not one."""
    value = (raw or "").strip()
    if not value:
        raise InvalidChoice("email", "Enter your email address")
    local, _, domain = value.rpartition("@")
    if (
        len(local) <= 64
        and _DOT_ATOM.match(local)
        and domain.isascii()
        and _checked_domain(domain) == domain.lower()
        and len(value) <= 254
    ):
        # Exactly what validate_email() would give (tests compare the two ways).
        return _checked(f"{local}@{domain.lower()}")
    return _normalise_fully(value)


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """The domain as email_validator normalises it, or None when it refuses it."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _normalise_fully(value: str) -> str:
    try:
        # No DNS lookups: they are slow, flaky, and reveal nothing we need.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidChoice(
            "email", "Enter an email address in the correct format, like name@example.com"
        ) from None
    return _checked(result.normalized)


def _checked(normalized: str) -> str:
    if len(normalized) > 320:
        raise InvalidChoice("email", "Enter an email address of 320 characters or fewer")
    if normalized.startswith(FORMULA_STARTS):
        # Legal in RFC 5322 but a formula in a spreadsheet, where lists end up.
        raise InvalidChoice("email", "Enter an email address that does not start with =, +, - or @")
    return normalized.lower()
