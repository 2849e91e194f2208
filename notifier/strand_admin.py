"""Add and change strands: name, description, keywords, order, archive (reversible).

An archived strand leaves the sign-up form and the manage page; its subscriptions stay, so
restoring it gives everyone back what they had. The caller commits.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import AuditEntry, Strand

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_KEYWORDS = 50


class StrandError(ValueError):
    """The change is not valid; errors maps each bad field to what is wrong with it."""

    def __init__(self, errors: dict[str, str], conflict: bool = False):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
        self.conflict = conflict  # the slug or name is taken: 409 rather than 400


def add_strand(values: dict, actor: str) -> Strand:
    """A new strand, listed last unless a position is given."""
    errors = {}
    slug = values.get("slug")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or len(slug) > 80:
        errors["slug"] = (
            "slug must be lower-case letters and digits joined by hyphens (80 at most)."
        )
    if "name" not in values:
        errors["name"] = "Give the strand a name."
    changes = _checked(values, errors)
    if errors:
        raise StrandError(errors)
    if db.session.scalar(select(Strand.id).where(Strand.slug == slug)):
        raise StrandError({"slug": f"A strand {slug} exists already."}, conflict=True)
    _name_free(changes["name"], None)
    last = db.session.scalar(select(func.max(Strand.position))) or 0
    strand = Strand(slug=slug, position=last + 1, keywords=[], description="", active=True)
    for field, value in changes.items():
        setattr(strand, field, value)
    db.session.add(strand)
    db.session.flush()
    db.session.add(AuditEntry(actor=actor, action="strand.add", target=slug, detail=changes))
    return strand


def change_strand(strand: Strand, values: dict, actor: str) -> Strand:
    """Rename, describe, set keywords, move or archive (active false) a strand."""
    errors = {}
    if "slug" in values and values["slug"] != strand.slug:
        errors["slug"] = "A strand's slug cannot change: links and imports name it."
    changes = _checked(values, errors)
    if errors:
        raise StrandError(errors)
    if "name" in changes:
        _name_free(changes["name"], strand.id)
    for field, value in changes.items():
        setattr(strand, field, value)
    db.session.add(
        AuditEntry(actor=actor, action="strand.change", target=strand.slug, detail=changes)
    )
    db.session.flush()
    return strand


def _checked(values: dict, errors: dict) -> dict:
    changes = {}
    if "name" in values:
        name = values["name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            errors["name"] = "name must be text of 1 to 200 characters."
        else:
            changes["name"] = " ".join(name.split())
    if "description" in values:
        text = values["description"]
        if not isinstance(text, str) or len(text) > 2000:
            errors["description"] = "description must be text of 2000 characters at most."
        else:
            changes["description"] = text.strip()
    if "keywords" in values:
        words = values["keywords"]
        if (
            not isinstance(words, list)
            or len(words) > MAX_KEYWORDS
            or not all(isinstance(w, str) and 0 < len(w.strip()) <= 100 for w in words)
        ):
            errors["keywords"] = f"keywords must be a list of up to {MAX_KEYWORDS} words."
        else:
            changes["keywords"] = list(dict.fromkeys(w.strip() for w in words))
    if "position" in values:
        position = values["position"]
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 10**6:
            errors["position"] = "position must be a whole number from 0."
        else:
            changes["position"] = position
    if "active" in values:
        if not isinstance(values["active"], bool):
            errors["active"] = "active must be true or false."
        else:
            changes["active"] = values["active"]
    if unknown := sorted(
        set(values) - {"slug", "name", "description", "keywords", "position", "active"}
    ):
        errors[unknown[0]] = f"{unknown[0]} is not a field of a strand."
    return changes


def _name_free(name: str, own_id: int | None) -> None:
    taken = db.session.scalar(
        select(Strand.id).where(func.lower(Strand.name) == name.lower(), Strand.id != (own_id or 0))
    )
    if taken:
        raise StrandError({"name": f"Another strand is called {name}."}, conflict=True)


def as_json(strand: Strand) -> dict:
    return {
        "slug": strand.slug,
        "name": strand.name,
        "description": strand.description,
        "keywords": strand.keywords,
        "position": strand.position,
        "active": strand.active,
    }
