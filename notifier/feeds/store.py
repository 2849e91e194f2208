"""Store parsed entries as Update rows: insert new ones, revise changed ones, skip the rest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.feeds.deadline_sync import read_deadline, sync_deadline
from notifier.feeds.parse import Entry
from notifier.feeds.sanitise import clean_html, plain, to_text
from notifier.feeds.strands import matching_strands
from notifier.meetings.propose import propose_meetings
from notifier.models import Feed, Strand, Update

BATCH = 500


@dataclass
class Stored:
    new: list[Update] = field(default_factory=list)
    changed: list[Update] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    """An entry in the shape we store, and the hash that says whether it changed."""

    entry: Entry
    title: str
    html: str
    text: str
    content_hash: str


def store_entries(feed: Feed, entries: list[Entry], now: datetime, settings) -> Stored:
    """Add or revise this feed's updates; an unchanged entry causes no database write."""
    rows = _dedupe([_prepare(entry) for entry in entries])
    existing = _existing(feed, [row.entry.guid for row in rows])
    strands = list(
        db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position))
    )
    send_since = _send_since(feed, now, settings.first_poll_send_days)
    stored = Stored()
    for row in rows:
        update = existing.get(row.entry.guid)
        if update is None:
            update = Update(feed_id=feed.id, guid=row.entry.guid, stored_at=now, revision=1)
            update.baseline = not feed.baselined and not (
                send_since and row.entry.published and row.entry.published >= send_since
            )
            _fill(update, row)
            db.session.add(update)
            stored.new.append(update)
        elif update.content_hash != row.content_hash:
            _fill(update, row)
            update.changed_at = now
            update.revision += 1
            stored.changed.append(update)
        else:
            continue
        if update.strands_set_by is None:  # an admin's choice outlasts a changed entry
            new_strands = matching_strands(update.title, update.categories, strands)
            if [s.id for s in update.strands] != [s.id for s in new_strands]:
                update.strands = new_strands
        sync_deadline(update, read_deadline(update, settings.tz, now), now)
        propose_meetings(update, strands, settings.tz, now)
    return stored


def _prepare(entry: Entry) -> _Row:
    html = clean_html(entry.content)
    title = plain(entry.title)[:1000] or "(untitled)"
    published = entry.published.isoformat() if entry.published else ""
    fingerprint = json.dumps([title, html, published, entry.link, entry.categories])
    return _Row(entry, title, html, to_text(html), hashlib.sha256(fingerprint.encode()).hexdigest())


def _dedupe(rows: list[_Row]) -> list[_Row]:
    # A feed that repeats a guid gets one row: the first, as feeds list newest first.
    seen: dict[str, _Row] = {}
    for row in rows:
        seen.setdefault(row.entry.guid, row)
    return list(seen.values())


def _existing(feed: Feed, guids: list[str]) -> dict[str, Update]:
    found: dict[str, Update] = {}
    for start in range(0, len(guids), BATCH):
        query = (
            select(Update)
            .where(Update.feed_id == feed.id, Update.guid.in_(guids[start : start + BATCH]))
            .options(selectinload(Update.strands), selectinload(Update.deadline))
        )
        found.update((update.guid, update) for update in db.session.scalars(query))
    return found


def _send_since(feed: Feed, now: datetime, days: int) -> datetime | None:
    """On a first poll, entries published after this are sent rather than baselined."""
    if feed.baselined or not days:
        return None
    return now - timedelta(days=int(days))


def _fill(update: Update, row: _Row) -> None:
    update.title = row.title
    update.link = row.entry.link
    update.content_html = row.html
    update.content_text = row.text
    update.categories = list(row.entry.categories)
    update.published_at = row.entry.published
    update.content_hash = row.content_hash
