"""Stored updates as plain data, for the command line and the API."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import Update
from notifier.moments import rfc3339


def list_updates(limit: int | None = None) -> list[dict]:
    """Newest first: guid, title, link, strands (slugs), published and deadline in local time."""
    tz = current_app.config["NOTIFIER"].tz
    query = (
        select(Update)
        .options(selectinload(Update.strands), selectinload(Update.deadline))
        .order_by(Update.published_at.desc().nulls_last(), Update.id.desc())
        .limit(limit)
    )
    return [
        {
            "guid": update.guid,
            "title": update.title,
            "link": update.link,
            "strands": [strand.slug for strand in update.strands],
            "published": rfc3339(update.published_at, tz) if update.published_at else None,
            "deadline": rfc3339(update.deadline.at, tz)
            if update.deadline and not update.deadline.cancelled
            else None,
            "updated": update.revision > 1,
        }
        for update in db.session.scalars(query)
    ]
