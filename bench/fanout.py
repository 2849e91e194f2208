"""Fan-out benchmark: 100,000 confirmed subscribers, 20 new updates; time the set-based queues.

Usage: bench/fanout [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
Without a URL it runs on a temporary SQLite file; with one it creates a throwaway database
on that server, and drops it afterwards.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier import create_app  # noqa: E402
from notifier.extensions import db  # noqa: E402
from notifier.models import (  # noqa: E402
    Feed,
    Outbox,
    Strand,
    Subscriber,
    Subscription,
    Update,
    update_strands,
)
from notifier.schedules import digests, immediate  # noqa: E402
from tests.support.databases import scratch_database  # noqa: E402

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a daily digest instant (08:00 GMT)
CHUNK = 10_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_subscribers(count: int, strands: list[int]) -> None:
    """Bulk-insert confirmed daily subscribers; every other one follows two strands."""
    confirmed = NOW - timedelta(days=30)
    for start in range(0, count, CHUNK):
        stop = min(start + CHUNK, count)
        db.session.execute(
            insert(Subscriber),
            [
                {
                    "email": f"reader{i}@bench.example.org",
                    "status": "confirmed",
                    "frequency": "daily",
                    "reminders": True,
                    "token_version": 1,
                    "created_at": confirmed,
                    "confirmed_at": confirmed,
                    "bounce_score": 0,
                }
                for i in range(start, stop)
            ],
        )
        # Subscriber ids run 1..N in a fresh database.
        follows = [(i + 1, strands[i % 3]) for i in range(start, stop)]
        follows += [(i + 1, strands[(i + 1) % 3]) for i in range(start, stop) if i % 2 == 0]
        db.session.execute(
            insert(Subscription),
            [{"subscriber_id": s, "strand_id": t, "created_at": confirmed} for s, t in follows],
        )
        db.session.commit()


def seed_updates(count: int, strands: list[int]) -> Feed:
    """The day's updates: most in one strand, some in two, every fourth one general."""
    feed = Feed(url="http://bench.example.org/feed", baselined=True)
    db.session.add(feed)
    db.session.flush()
    for k in range(count):
        row = Update(
            feed_id=feed.id,
            guid=f"bench-{k}",
            title=f"Update {k}",
            content_hash=f"{k:064d}",
            stored_at=NOW - timedelta(hours=23, minutes=k),
        )
        db.session.add(row)
        db.session.flush()
        if k % 4 != 3:
            chosen = {strands[k % 3]} | ({strands[(k + 1) % 3]} if k % 5 == 0 else set())
            db.session.execute(
                insert(update_strands), [{"update_id": row.id, "strand_id": s} for s in chosen]
            )
    db.session.commit()
    return feed


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def run(url: str, instance: Path, subscribers: int, updates: int) -> None:
    config = {"database_url": url, "secret_key": "bench", "instance_path": instance}
    app = create_app({**config, "log_level": "WARNING"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        name = db.engine.dialect.name
        strands = list(db.session.scalars(select(Strand.id).order_by(Strand.position)))
        _, seconds = timed(lambda: seed_subscribers(subscribers, strands))
        feed = seed_updates(updates, strands)
        # A live database has planner statistics (autovacuum); a freshly bulk-loaded one not yet.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"{name}: seeded {subscribers:,} subscribers, {updates} updates in {seconds:.1f} s")

        runs, seconds = timed(lambda: digests.queue_due("daily", NOW))
        print(
            f"{name}: daily digest run queued {runs[-1].emails_queued:,} emails in {seconds:.2f} s"
        )

        # The day's updates were already handled (nobody was immediate); now everyone is.
        immediate.send_new_updates(NOW)
        db.session.execute(update(Subscriber).values(frequency="immediate"))
        one = Update(
            feed_id=feed.id,
            guid="bench-now",
            title="For everyone",
            content_hash="f" * 64,
            stored_at=NOW + timedelta(minutes=5),
        )
        db.session.add(one)
        db.session.commit()
        later = NOW + timedelta(minutes=10)
        # The poll job's step: fan the new update out, then move the immediate cursors.
        queued, seconds = timed(lambda: immediate.send_new_updates(later))
        print(f"{name}: one update fanned out to {queued:,} subscribers in {seconds:.2f} s")
        total = db.session.scalar(select(func.count()).select_from(Outbox))
        print(f"{name}: {total:,} outbox rows; peak memory {peak_mb():.0f} MB")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=20)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(args.database_url, Path(folder), "notifier_bench") as url,
    ):
        run(url, Path(folder), args.subscribers, args.updates)


if __name__ == "__main__":
    main()
