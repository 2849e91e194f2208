"""Gauges read from the database at scrape time: the same answer from any web process."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Feed, Outbox, ScheduledRun, Subscriber
from notifier.observe.readings import pulse


class _Snapshot:
    """A collector that hands over families already read (a registry wants a collector)."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def database_metrics(now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(list(_families(now))))
    return generate_latest(registry)


def _families(now: datetime):
    reading = pulse(now)
    heartbeat = GaugeMetricFamily(
        "notifier_scheduler_heartbeat_age_seconds",
        "Seconds since the acting clock's last heartbeat (NaN: never seen)",
    )
    age = reading.age(reading.heartbeat_at, now)
    heartbeat.add_metric([], math.nan if age is None else age)
    yield heartbeat
    yield _single("notifier_queue_due_emails", "Queued emails due now", reading.due)
    oldest = reading.age(reading.oldest_due_at, now)
    yield _single(
        "notifier_queue_oldest_due_seconds",
        "How long the longest-waiting due email has waited (0: none waiting)",
        oldest or 0.0,
    )

    emails = GaugeMetricFamily(
        "notifier_outbox_emails",
        "Emails held in the outbox, by kind and status",
        labels=["kind", "status"],
    )
    for kind, status, count in db.session.execute(
        select(Outbox.kind, Outbox.status, func.count()).group_by(Outbox.kind, Outbox.status)
    ):
        emails.add_metric([kind, status], count)
    yield emails

    subscribers = GaugeMetricFamily(
        "notifier_subscribers", "Subscribers by status", labels=["status"]
    )
    for status, count in db.session.execute(
        select(Subscriber.status, func.count()).group_by(Subscriber.status)
    ):
        subscribers.add_metric([status], count)
    yield subscribers

    yield from _feeds()
    yield from _runs()


def _feeds():
    fetch = GaugeMetricFamily(
        "notifier_feed_fetch_seconds", "How long each feed's last poll took", labels=["feed"]
    )
    up = GaugeMetricFamily(
        "notifier_feed_up", "1 when the feed's last poll succeeded, else 0", labels=["feed"]
    )
    failures = GaugeMetricFamily(
        "notifier_feed_consecutive_failures", "Polls failed in a row", labels=["feed"]
    )
    success = GaugeMetricFamily(
        "notifier_feed_last_success_timestamp_seconds",
        "Unix time of the feed's last successful poll",
        labels=["feed"],
    )
    for feed in db.session.scalars(select(Feed).where(Feed.active).order_by(Feed.id)):
        label = [_without_credentials(feed.url)]
        if feed.last_fetch_seconds is not None:
            fetch.add_metric(label, feed.last_fetch_seconds)
        up.add_metric(label, 1 if feed.last_success_at and not feed.consecutive_failures else 0)
        failures.add_metric(label, feed.consecutive_failures)
        if feed.last_success_at:
            success.add_metric(label, feed.last_success_at.timestamp())
    yield from (fetch, up, failures, success)


def _runs():
    seconds = GaugeMetricFamily(
        "notifier_run_last_seconds",
        "How long the last finished run of each kind (daily, weekly, reminders...) took",
        labels=["kind"],
    )
    latest = (
        select(ScheduledRun.kind, func.max(ScheduledRun.id).label("id"))
        .where(ScheduledRun.finished_at.is_not(None))
        .group_by(ScheduledRun.kind)
        .subquery()
    )
    for run in db.session.scalars(
        select(ScheduledRun).join(latest, ScheduledRun.id == latest.c.id)
    ):
        seconds.add_metric([run.kind], (run.finished_at - run.started_at).total_seconds())
    yield seconds


def _single(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
