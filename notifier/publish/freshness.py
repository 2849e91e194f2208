"""One content version for everything published, and a render cache keyed by it.

The version is read from the data itself (newest update, deadline and meeting changes, and
how many deadlines and meetings are still ahead), so no writer has to remember to bump it:
a new update, a moved deadline, a meeting change or a deadline passing all give a new one.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, case, false, func, select, true

from notifier.extensions import db
from notifier.models import Deadline, Meeting, Strand, Update
from notifier.models.base import UTCDateTime
from notifier.moments import parse_moment

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Distinct renders kept per process: every calendar and feed, a page or two of the archive.
MAX_RENDERS = 256


@dataclass(frozen=True)
class Version:
    tag: str  # changes whenever anything published may have changed
    modified: datetime  # the latest moment anything published changed
    strands: Mapping[str, int]  # the active strands' ids by slug, as read with the version


def _moment(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite aggregates hand back text, naive meaning UTC
        return parse_moment(value, UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _version_query():
    """Everything the version is read from, as one statement over three aggregates.

    Built once: a calendar program's poll costs this one query (and the strands) and no more.
    """
    now = bindparam("now", type_=UTCDateTime())
    updates = select(
        func.count(Update.id).label("n"),
        func.max(Update.stored_at).label("stored"),
        func.max(Update.changed_at).label("changed"),
        # Timestamps can be set by hand (replays with --now): revisions always move on.
        func.sum(Update.revision).label("revisions"),
    ).subquery()
    deadlines = select(
        func.max(Deadline.updated_at).label("changed"),
        func.sum(Deadline.version).label("versions"),
        _count(Deadline.cancelled).label("cancelled"),
        _count((Deadline.cancelled == false()) & (Deadline.at > now)).label("open"),
        # A deadline passing changes what is published without touching a row.
        func.max(case((Deadline.at <= now, Deadline.at))).label("passed"),
    ).subquery()
    meetings = select(
        func.count(Meeting.id).label("n"),
        func.max(Meeting.updated_at).label("changed"),
        func.sum(Meeting.sequence).label("sequences"),
        _count(Meeting.status == "confirmed").label("confirmed"),
        _count(Meeting.ends_at > now).label("coming"),
        func.max(case((Meeting.ends_at <= now, Meeting.ends_at))).label("ended"),
    ).subquery()
    # Each aggregate is one row: joined on true, they are one row of everything.
    one_row = updates.join(deadlines, true()).join(meetings, true())
    return select(updates, deadlines, meetings).select_from(one_row)


VERSION_QUERY = _version_query()
MOMENTS = ("stored", "changed", "changed_1", "passed", "changed_2", "ended")
# A strand's description is its Atom feed's subtitle: an edit to it is news to feed readers.
STRANDS_QUERY = select(
    Strand.id, Strand.slug, Strand.name, Strand.description, Strand.active
).order_by(Strand.id)


def content_version(now: datetime) -> Version:
    """The version of the published content at now, in two small queries."""
    connection = db.session.connection()
    row = connection.execute(VERSION_QUERY, {"now": now}).one()
    # Strands are few; a rename or an archive changes their feeds' titles and contents.
    strands = connection.execute(STRANDS_QUERY).all()
    tag = hashlib.sha256(repr((tuple(row), [tuple(s) for s in strands])).encode()).hexdigest()
    values = row._mapping
    moments = [_moment(values[name]) for name in MOMENTS if name in values]
    modified = max((m for m in moments if m is not None), default=EPOCH)
    # A replayed or hand-set timestamp can lag behind a change: Last-Modified is never earlier
    # than when this process first saw the version, so If-Modified-Since cannot hide a change.
    seen = _first_seen(tag, now)
    active = {strand.slug: strand.id for strand in strands if strand.active}
    return Version(tag[:32], max(modified, seen).replace(microsecond=0), active)


_seen: OrderedDict[str, datetime] = OrderedDict()
_seen_lock = threading.Lock()


def _first_seen(tag: str, now: datetime) -> datetime:
    with _seen_lock:
        if tag not in _seen:
            _seen[tag] = now
            while len(_seen) > MAX_RENDERS:
                _seen.popitem(last=False)
        return _seen[tag]


class RenderCache:
    """Rendered bytes by key; the key holds the content version, so old entries just age out."""

    def __init__(self, size: int = MAX_RENDERS):
        self._size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> bytes | None:
        """The bytes kept for key, or None; never renders."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        body = make()  # outside the lock: two threads may both render once, harmlessly
        with self._lock:
            self._items[key] = body
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
