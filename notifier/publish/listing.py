"""Stored updates as plain data, for the command line and the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import Update
from notifier.moments import rfc3339
from notifier.settings import current_settings


def list_updates(limit: int | None = None) -> list[dict]:
    """Newest first: guid, title, link, strands (slugs), published and deadline in local time."""
    tz = current_settings().tz
    query = (
        select(Update)
        .options(selectinload(Update.strands), selectinload(Update.deadline))
        .order_by(Update.published_at.desc().nulls_last(), Update.id.desc())
        .limit(limit)
    )
    return [as_json(update, tz) for update in db.session.scalars(query)]


def as_json(update: Update, tz) -> dict:
    """One update as plain data, its moments in local time."""
    return {
        "id": update.id,
        "guid": update.guid,
        "title": update.title,
        "link": update.link,
        "strands": [strand.slug for strand in update.strands],
        "published": rfc3339(update.published_at, tz) if update.published_at else None,
        "deadline": rfc3339(update.deadline.at, tz)
        if update.deadline and not update.deadline.cancelled
        else None,
        "updated": update.revision > 1,
        "deadline_sentence": update.deadline.sentence if update.deadline else None,
        "deadline_source": update.deadline.source if update.deadline else None,
        "weekday_mismatch": bool(update.deadline and update.deadline.weekday_mismatch),
    }


def updates_page(query_text: str, after: int | None, limit: int) -> tuple[list[Update], int | None]:
    """Updates newest stored first (by id), whose title contains query_text; and the next id."""
    query = select(Update).options(selectinload(Update.strands), selectinload(Update.deadline))
    if query_text.strip():
        query = query.where(Update.title.contains(query_text.strip(), autoescape=True))
    if after is not None:
        query = query.where(Update.id < after)
    rows = list(db.session.scalars(query.order_by(Update.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
