"""What the admin dashboard shows: counts and lists read from the models."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import (
    ConsentRecord,
    Feed,
    Outbox,
    ScheduledRun,
    Strand,
    Subscriber,
    Subscription,
    Update,
)
from notifier.models.people import STATUSES
from notifier.schedules.periods import local_instant, period_for


def subscriber_counts() -> dict[str, int]:
    rows = db.session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status))
    return {"pending": 0, "confirmed": 0, "unsubscribed": 0, "suppressed": 0, **dict(rows.all())}


def delivery_counts(now: datetime) -> dict[str, int]:
    """Outbox rows by status, and how many are due but not yet sent."""
    rows = db.session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
    counts = {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0, **dict(rows.all())}
    counts["sent_last_day"] = db.session.scalar(
        select(func.count()).where(Outbox.sent_at >= now - timedelta(days=1))
    )
    counts["overdue"] = db.session.scalar(
        select(func.count()).where(
            Outbox.status == "queued", Outbox.next_attempt_at < now - timedelta(minutes=15)
        )
    )
    return counts


def feeds() -> list[Feed]:
    return list(db.session.scalars(select(Feed).order_by(Feed.url)))


def recent_updates(limit: int = 20) -> list[Update]:
    return list(
        db.session.scalars(
            select(Update)
            .options(selectinload(Update.strands), selectinload(Update.deadline))
            .order_by(Update.stored_at.desc(), Update.id.desc())
            .limit(limit)
        )
    )


def recent_failures(limit: int = 20) -> list[Outbox]:
    return list(
        db.session.scalars(
            select(Outbox).where(Outbox.status == "failed").order_by(Outbox.id.desc()).limit(limit)
        )
    )


def find_subscribers(query: str, limit: int = 50) -> list[Subscriber]:
    """Subscribers whose address contains the query, newest first."""
    pattern = f"%{query.strip().lower()}%"
    return list(
        db.session.scalars(
            select(Subscriber)
            .options(selectinload(Subscriber.subscriptions).joinedload(Subscription.strand))
            .where(Subscriber.email.like(pattern))
            .order_by(Subscriber.id.desc())
            .limit(limit)
        )
    )


def consent_records(subscriber_ids: list[int]) -> dict[int, list[ConsentRecord]]:
    """Each subscriber's consent records, oldest first: what they agreed to, strand by strand."""
    records: dict[int, list[ConsentRecord]] = {}
    for record in db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.subscriber_id.in_(subscriber_ids))
        .order_by(ConsentRecord.created_at, ConsentRecord.id)
    ):
        records.setdefault(record.subscriber_id, []).append(record)
    return records


def strand_counts() -> dict[str, dict[str, int]]:
    """Per strand slug: its subscribers by status (a person in two strands counts in each)."""
    rows = db.session.execute(
        select(Strand.slug, Subscriber.status, func.count())
        .select_from(Subscription)
        .join(Strand, Strand.id == Subscription.strand_id)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .group_by(Strand.slug, Subscriber.status)
    )
    counts = {slug: dict.fromkeys(STATUSES, 0) for slug in db.session.scalars(select(Strand.slug))}
    for slug, status, n in rows:
        counts[slug][status] = n
    return counts


def emails_last_day(now: datetime) -> dict[str, int]:
    """Emails queued in the last 24 hours, by their status now."""
    rows = db.session.execute(
        select(Outbox.status, func.count())
        .where(Outbox.created_at >= now - timedelta(days=1))
        .group_by(Outbox.status)
    )
    return {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0, **dict(rows.all())}


def clock_runs() -> list[ScheduledRun]:
    """The latest run of each kind of schedule (immediate, daily, weekly, reminders, ...)."""
    latest = (
        select(ScheduledRun.kind, func.max(ScheduledRun.id).label("id"))
        .group_by(ScheduledRun.kind)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ScheduledRun)
            .join(latest, latest.c.id == ScheduledRun.id)
            .order_by(ScheduledRun.kind)
        )
    )


def next_runs(now: datetime, settings) -> dict[str, datetime | None]:
    """When each timed schedule is next due: digests and reminders by the settings, polls
    by the feeds' own next_poll_at; immediate emails and announcements go every minute."""
    daily = period_for("daily", now, settings)
    weekly = period_for("weekly", now, settings)
    next_daily = local_instant(
        date.fromisoformat(daily.key) + timedelta(days=1), settings.daily_time, settings.tz
    )
    next_weekly = local_instant(
        date.fromisoformat(weekly.key) + timedelta(days=7), settings.weekly.at, settings.tz
    )
    return {
        "poll": db.session.scalar(select(func.min(Feed.next_poll_at)).where(Feed.active)),
        "daily": next_daily,
        "reminders": next_daily,
        "weekly": next_weekly,
    }
