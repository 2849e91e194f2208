"""The subscriber CSV's columns, and how a column of per-strand values is read and written."""

from __future__ import annotations

from notifier.models import Strand
from notifier.subscriptions.choices import InvalidChoice

COLUMNS = ["email", "strands", "frequency", "reminders", "consent_at", "consent_source"]
# What an export adds, so that importing it elsewhere recreates each person exactly as they
# were: the status with the moments and reason behind it, and where the consent came from.
STATE_COLUMNS = ["status", "confirmed_at", "unsubscribed_at", "suppressed_at", "suppressed_reason"]
EXPORT_COLUMNS = [*COLUMNS, "status", "confirmed_at", "consent_ip", *STATE_COLUMNS[2:]]


def per_strand(text: str, strands: list[Strand], column: str, read, default) -> dict:
    """Read a column that holds one value for all the row's strands, or one per strand.

    "weekly" is every strand weekly; "fraud-error-debt=immediate;research-statistics=weekly"
    sets each; "weekly;fraud-error-debt=immediate" is weekly but for that strand. Empty: the
    default for all.
    """
    slugs = [strand.slug for strand in strands]
    if "=" not in text and ";" not in text:
        # One value for every strand, as most lists have it.
        value = read(text) if text else default
        return dict.fromkeys(slugs, value)
    plain, own = None, {}
    for item in text.split(";"):
        slug, named, raw = item.rpartition("=")
        if not named:
            raw = raw.strip()
            if not raw:
                continue
            if plain is not None:
                raise InvalidChoice(column, f"give one value for all strands at most, not {text!r}")
            plain = read(raw)
            continue
        slug = slug.strip()
        if slug not in slugs:
            raise InvalidChoice(column, f"{slug!r} is not one of this row's strands")
        if slug in own:
            raise InvalidChoice(column, f"{slug} is given twice")
        own[slug] = read(raw.strip())
    fallback = default if plain is None else plain
    return {slug: own.get(slug, fallback) for slug in slugs}


def write_per_strand(values: list[tuple[str, str]]) -> str:
    """The column text for (slug, value) pairs: one plain value when every strand agrees."""
    distinct = {value for _, value in values}
    if len(distinct) == 1:
        return distinct.pop()
    return ";".join(f"{slug}={value}" for slug, value in values)
