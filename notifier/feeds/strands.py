"""Decide which strands an update belongs to.

A feed category equal to a strand's name or slug (ignoring case and punctuation, and "and"
against "&") puts the update in that strand, and so does one of the strand's keywords found as a
whole word in the title or a category. The body is NOT searched: updates routinely mention the
other strands in passing ("merged with the other two strand papers"), and a false match sends
an update to people who did not ask for it, while an unmatched update still reaches everyone as
a general update.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from notifier.models import Strand


def normalise(label: str) -> str:
    """'Fraud, Error & Debt' and 'fraud-error-debt' both become 'frauderrordebt'."""
    words = re.findall(r"[^\W_]+", label.casefold())
    return "".join(word for word in words if word != "and")


def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    words = keyword.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.I)


def matching_strands(
    title: str, categories: Iterable[str], strands: Iterable[Strand]
) -> list[Strand]:
    """The strands, in the order given, that this title and these categories put an update in."""
    categories = list(categories)
    labels = {normalise(category) for category in categories} - {""}
    haystacks = [title, *categories]
    chosen = []
    for strand in strands:
        if labels & {normalise(strand.name), normalise(strand.slug)}:
            chosen.append(strand)
            continue
        patterns = filter(None, map(_keyword_pattern, strand.keywords or []))
        if any(p.search(text) for p in patterns for text in haystacks):
            chosen.append(strand)
    return chosen
