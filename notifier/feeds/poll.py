"""Poll feeds: fetch them side by side, store each in turn, record health; none stops another."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from notifier.extensions import db
from notifier.feeds.deadline_transport import tls_context
from notifier.feeds.fetch import OUT_OF_TIME, Fetched, FetchError, Limits, fetch, user_agent
from notifier.feeds.gather import Budget, Done, OutOfTime, gather
from notifier.feeds.health import record_failure, record_success
from notifier.feeds.parse import ParsedFeed, ParseError, parse
from notifier.feeds.store import store_entries
from notifier.models import Feed
from notifier.settings import current_settings

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    """How one feed's poll went; new_update_ids are the NEW updates that are not baseline."""

    url: str
    ok: bool
    error: str | None = None
    not_modified: bool = False
    new: int = 0
    changed: int = 0
    new_update_ids: list[int] = field(default_factory=list)


def poll_due(now: datetime) -> list[PollResult]:
    """Poll every active feed whose next poll is due (or was never planned)."""
    budget = _budget()
    sync_feeds(current_settings().feed_urls, now)
    due = or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now)
    return _poll_each([Feed.active, due], now, budget)


def poll_all(now: datetime) -> list[PollResult]:
    """Poll every active feed once, whatever its backoff says."""
    budget = _budget()
    sync_feeds(current_settings().feed_urls, now)
    return _poll_each([Feed.active], now, budget)


def sync_feeds(urls: list[str], now: datetime) -> None:
    """Make the feeds table match the configured URLs: add new ones, (de)activate the rest."""
    feeds = list(db.session.scalars(select(Feed)))
    wanted = set(urls)
    for feed in feeds:
        active = bool({feed.configured_url, feed.url} & wanted)
        if feed.active != active:
            feed.active = active
    known = {feed.configured_url for feed in feeds} | {feed.url for feed in feeds}
    for url in dict.fromkeys(urls):
        if url not in known:
            db.session.add(
                Feed(url=url, configured_url=url, created_at=now, consecutive_failures=0)
            )
    if db.session.dirty or db.session.new:
        db.session.commit()


def _budget() -> Budget:
    """The whole poll's time budget, counted from its very start."""
    return Budget.start(float(current_settings().feed_poll_budget))


def _poll_each(where: list, now: datetime, budget: Budget) -> list[PollResult]:
    """Fetch the feeds side by side within the poll's budget; store each in feed-id order."""
    settings = current_settings()
    feeds = [
        (feed.id, feed.url, feed.etag, feed.last_modified)
        for feed in db.session.scalars(select(Feed).where(*where).order_by(Feed.id))
    ]
    db.session.commit()  # no transaction stays open while the fetches run
    tls_context()  # loaded once per process (slow the first time), shared by every fetch
    limits, agent = Limits.from_settings(settings), user_agent(settings.base_url)
    jobs = [
        partial(_fetch_and_parse, url, etag, modified, limits, agent, budget.fetch_cutoff)
        for _, url, etag, modified in feeds
    ]
    results = []
    # One writer, in a stable order: the outcome of feed n is stored before feed n+1's,
    # whichever fetch finished first.
    outcomes = gather(jobs, settings.feed_concurrency, budget)
    for (feed_id, *_), done in zip(feeds, outcomes, strict=True):
        try:
            results.append(_store(db.session.get(Feed, feed_id), done, now))
        except Exception as exc:  # a bug with one feed must not stop the others
            log.exception("polling feed %s failed", feed_id)
            db.session.rollback()
            feed = db.session.get(Feed, feed_id)
            results.append(_failed(feed, f"internal error: {exc}", now, done.seconds))
    return results


def _fetch_and_parse(url, etag, modified, limits: Limits, agent: str, cutoff: float):
    """Fetch and parse one feed; runs on a pool thread, so it touches no database."""
    fetched = fetch(url, etag, modified, limits, agent, cutoff=cutoff)
    return fetched, None if fetched.not_modified else parse(fetched.body, fetched.headers)


def _store(feed: Feed, done: Done, now: datetime) -> PollResult:
    """Store one feed's fetched entries in one transaction; on any failure store nothing."""
    if isinstance(done.error, OutOfTime):
        return _failed(feed, OUT_OF_TIME, now, done.seconds)
    if isinstance(done.error, FetchError | ParseError):
        return _failed(feed, str(done.error), now, done.seconds)
    if done.error is not None:
        raise done.error
    fetched, parsed = done.value
    settings = current_settings()
    url, feed_id = feed.url, feed.id
    try:
        try:
            result = _apply(feed, fetched, parsed, now, settings, done.seconds)
        except IntegrityError:
            # Another poll of this feed stored the same entries first: ours are now updates
            # of those rows, so one more pass settles it.
            db.session.rollback()
            result = _apply(
                db.session.get(Feed, feed_id), fetched, parsed, now, settings, done.seconds
            )
    except SQLAlchemyError as exc:
        db.session.rollback()
        return _failed(
            db.session.get(Feed, feed_id),
            f"database error: {exc.__class__.__name__}",
            now,
            done.seconds,
            url,
        )
    log.info("polled %s: %s new, %s changed", url, result.new, result.changed)
    return result


def _apply(
    feed: Feed, fetched: Fetched, parsed: ParsedFeed | None, now, settings, seconds
) -> PollResult:
    """Store what the fetch brought and record the success; commits."""
    result = PollResult(feed.url, ok=True, not_modified=fetched.not_modified)
    if parsed is not None:
        stored = store_entries(feed, parsed.entries, now, settings)
        db.session.flush()
        result.new, result.changed = len(stored.new), len(stored.changed)
        result.new_update_ids = [u.id for u in stored.new if not u.baseline]
        _assign(
            feed,
            etag=_fits(fetched.etag, 500),
            last_modified=_fits(fetched.last_modified, 100),
            title=(parsed.title or feed.title or "")[:500] or None,
            baselined=True,
        )
    if fetched.moved_to:
        _move(feed, fetched.moved_to)
    record_success(feed, now, settings.poll_interval_minutes, seconds)
    db.session.commit()
    return result


def _failed(
    feed: Feed, error: str, now: datetime, seconds: float | None = None, url: str | None = None
) -> PollResult:
    """Record the error on the feed (nothing else) and report it."""
    db.session.rollback()
    interval = current_settings().poll_interval_minutes
    record_failure(feed, error, now, interval, seconds)
    db.session.commit()
    log.warning("polling %s failed: %s", feed.url, error)
    return PollResult(url or feed.url, ok=False, error=error)


def _fits(validator: str | None, size: int) -> str | None:
    # A cut validator would never match again; better none than a column overflow.
    return validator if validator and len(validator) <= size else None


def _assign(obj, **values) -> None:
    # Assign only real changes, so an unchanged feed costs no UPDATE.
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _move(feed: Feed, url: str) -> None:
    """Follow a permanent redirect, unless another feed row already has that URL."""
    taken = db.session.scalar(select(Feed.id).where(Feed.url == url, Feed.id != feed.id))
    if taken is None:
        log.info("feed %s moved permanently to %s", feed.url, url)
        feed.url = url[:2000]
