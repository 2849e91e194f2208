"""A poll as a whole: feeds fetched side by side, inside one budget, stored one at a time."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from notifier.extensions import db
from notifier.feeds.poll import poll_all
from notifier.models import Feed, Update, utcnow
from notifier.schedules.clock import Clock
from notifier.schedules.periods import period_for
from notifier.settings import ConfigError, load
from tests.support.content import make_subscriber, make_update, outbox
from tests.support.feeds import RSS, drip, feed_bytes, stall
from tests.support.http import Response

NOW = datetime(2031, 5, 10, 12, 0, tzinfo=UTC)
BUDGET = 5.0
FEED = Response(feed_bytes("wordpress.xml"), headers={"Content-Type": RSS})


def slow(seconds: float, response: Response, seen: list | None = None):
    """A route that answers after a pause, noting how many requests it was serving at once."""
    lock, busy = threading.Lock(), [0]

    def route(handler):
        with lock:
            busy[0] += 1
            if seen is not None:
                seen.append(busy[0])
        time.sleep(seconds)
        with lock:
            busy[0] -= 1
        return response

    return route


def feeds_by_path() -> dict[str, Feed]:
    return {feed.url.rsplit("/", 1)[1]: feed for feed in db.session.scalars(select(Feed))}


def test_five_dripping_feeds_cannot_hold_up_the_good_one_or_the_poll(make_app, feed_server):
    paths = [f"/drip{n}" for n in range(5)] + ["/good"]
    for path in paths[:5]:
        feed_server.routes[path] = drip(30)
    feed_server.routes["/good"] = FEED
    app = make_app(
        feed_urls=[feed_server.url(path) for path in paths],
        feed_poll_budget=BUDGET,
        feed_read_timeout=20.0,
        feed_deadline=60.0,
    )
    with app.app_context():
        started = time.monotonic()
        results = poll_all(NOW)
        took = time.monotonic() - started
        assert took < BUDGET, f"the poll took {took:.2f} s, over its {BUDGET} s budget"
        assert [r.url.rsplit("/", 1)[1] for r in results] == [p[1:] for p in paths]
        assert [r.ok for r in results] == [False] * 5 + [True]
        assert results[-1].new == 3
        assert len(list(db.session.scalars(select(Update)))) == 3
        feeds = feeds_by_path()
        for n in range(5):
            dripping = feeds[f"drip{n}"]
            assert dripping.last_error == "still fetching when the poll's time budget ran out"
            assert dripping.consecutive_failures == 1
            assert dripping.next_poll_at == NOW + timedelta(minutes=30)  # backed off
            assert 1.0 < dripping.last_fetch_seconds < BUDGET
        good = feeds["good"]
        assert good.last_success_at == NOW and good.next_poll_at == NOW + timedelta(minutes=15)
        assert 0 <= good.last_fetch_seconds < 1.0


def test_results_are_stored_in_feed_order_whichever_fetch_finishes_first(make_app, feed_server):
    first = Response(feed_bytes("wordpress.xml"), headers={"Content-Type": RSS})
    feed_server.routes["/a-slow"] = slow(0.8, first)
    feed_server.routes["/b-fast"] = Response(feed_bytes("atom.xml"), headers={"Content-Type": RSS})
    app = make_app(feed_urls=[feed_server.url("/a-slow"), feed_server.url("/b-fast")])
    with app.app_context():
        results = poll_all(NOW)
        assert all(r.ok for r in results)
        feeds = feeds_by_path()
        stored = list(db.session.scalars(select(Update).order_by(Update.id)))
        owners = [u.feed_id for u in stored]
        # The fast feed's fetch finished first, yet the slow one (first by id) was stored first.
        assert owners == sorted(owners)
        assert owners[0] == feeds["a-slow"].id and owners[-1] == feeds["b-fast"].id


def test_fetches_run_side_by_side_up_to_the_concurrency_setting(make_app, feed_server):
    seen: list[int] = []
    paths = [f"/feed{n}" for n in range(5)]
    route = slow(0.5, FEED, seen)
    for path in paths:
        feed_server.routes[path] = route
    app = make_app(feed_urls=[feed_server.url(path) for path in paths], feed_concurrency=2)
    with app.app_context():
        results = poll_all(NOW)
    assert all(r.ok for r in results)
    # The server saw two requests at once, and never more.
    assert max(seen) == 2


def test_a_feed_queued_behind_slow_ones_past_the_budget_fails_and_is_retried(make_app, feed_server):
    feed_server.routes["/a-hang"] = stall(30)
    feed_server.routes["/b-good"] = FEED
    app = make_app(
        feed_urls=[feed_server.url("/a-hang"), feed_server.url("/b-good")],
        feed_concurrency=1,
        feed_poll_budget=BUDGET,
        feed_read_timeout=20.0,
    )
    with app.app_context():
        first = poll_all(NOW)
        assert [r.ok for r in first] == [False, False]
        assert all("budget ran out" in r.error for r in first)
        feed_server.routes["/a-hang"] = FEED
        again = poll_all(NOW + timedelta(minutes=30))
        assert [r.ok for r in again] == [True, True]


def test_feeds_command_shows_how_long_the_last_fetch_took(make_app, feed_server):
    feed_server.routes["/feed"] = slow(0.3, FEED)
    app = make_app(feed_urls=[feed_server.url("/feed")])
    runner = app.test_cli_runner()
    before = runner.invoke(args=["feeds", "--json"])
    assert '"last_fetch_seconds": null' in before.output
    assert runner.invoke(args=["poll", "--now", NOW.isoformat()]).exit_code == 0
    text = runner.invoke(args=["feeds"]).output
    assert re.search(r"0 failed in a row, last fetch took \d+\.\d\d s, next ", text), text
    [row] = json.loads(runner.invoke(args=["feeds", "--json"]).output)
    assert row["last_fetch_seconds"] >= 0.3


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NOTIFIER_FEED_CONCURRENCY", "0", "NOTIFIER_FEED_CONCURRENCY must be 1 or more"),
        ("NOTIFIER_FEED_CONCURRENCY", "many", "NOTIFIER_FEED_CONCURRENCY must be int"),
        ("NOTIFIER_FEED_POLL_BUDGET", "0", "NOTIFIER_FEED_POLL_BUDGET must be more than 0"),
    ],
)
def test_bad_poll_settings_are_refused_by_name(tmp_path, variable, value, message):
    with pytest.raises(ConfigError, match=message):
        load(environ={variable: value, "NOTIFIER_SECRET_KEY": "k"}, instance_path=tmp_path)


def test_poll_settings_default_to_eight_feeds_at_once_within_45_seconds(tmp_path):
    settings = load(environ={"NOTIFIER_SECRET_KEY": "k"}, instance_path=tmp_path)
    assert (settings.feed_concurrency, settings.feed_poll_budget) == (8, 45.0)


def test_a_hanging_feed_does_not_delay_the_next_digest_run(make_app, feed_server):
    hung: list[float] = []

    def hang(handler):
        hung.append(time.monotonic())
        stall(60)(handler)

    feed_server.routes["/hang"] = hang
    app = make_app(
        feed_urls=[feed_server.url("/hang")],
        feed_poll_budget=BUDGET,
        feed_read_timeout=30.0,
        feed_deadline=60.0,
    )
    with app.app_context():
        period = period_for("daily", utcnow(), app.config["NOTIFIER"])
        confirmed = _iso(period.previous_end - timedelta(days=2))
        make_subscriber("daily@example.org", ("research-statistics",), confirmed=confirmed)
        make_update("Owed today", _iso(period.end - timedelta(hours=1)))
        clock = Clock(app)
        scheduler = clock.schedule(BackgroundScheduler(timezone="UTC"))
        started = time.monotonic()
        scheduler.start()
        try:
            while not outbox("digest") and time.monotonic() - started < 40:
                time.sleep(0.05)
            queued = time.monotonic()
        finally:
            scheduler.shutdown(wait=False)
            clock.release()
        assert [row.to_address for row in outbox("digest")] == ["daily@example.org"]
        assert hung and hung[0] < queued, "the poll ran first and met the hanging feed"
        # The digest waited for the poll's budget, not for the server (30 s read timeout).
        assert queued - started < BUDGET + 8.0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()
