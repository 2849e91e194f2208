"""Fan-out benchmark: a per-strand mix of subscribers, a day of updates; time the queues.

Usage: bench/fanout [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                    [--subscribers 100000] [--case live|fresh|import|all]

Each subscriber follows 1-3 strands, each with its own frequency and reminders drawn at
random (seeded, so every run draws the same). Cases, each on a new throwaway database (a
temporary SQLite file without a URL):

- live: bulk-loaded, then ANALYZEd, as a database that has been running a while;
- fresh: bulk-loaded and not analyzed: the planner has no statistics (autovacuum is off here,
  as it is on any server for the minute after a bulk load), so only the query shapes count;
- import: `notifier subscribers import` of a CSV of that many rows, then straight away the
  daily run; import analyzes what it loaded.

The daily run is `notifier digests daily --now …` in its own process, timed from outside;
its peak memory is read with /usr/bin/time, and must not grow with the list.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier import create_app  # noqa: E402
from notifier.extensions import db  # noqa: E402
from notifier.models import (  # noqa: E402
    Feed,
    Outbox,
    ScheduledRun,
    Strand,
    Subscriber,
    Subscription,
    Update,
    update_strands,
)
from notifier.models.people import FREQUENCIES  # noqa: E402
from notifier.schedules import immediate  # noqa: E402
from tests.support.databases import scratch_database  # noqa: E402

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a daily digest instant (08:00 GMT)
CONFIRMED = NOW - timedelta(days=30)
CHUNK = 10_000
NOTIFIER = ROOT / ".venv" / "bin" / "notifier"


def mix(count: int, strands: list[tuple[int, str]]):
    """(subscriber number, [(strand, frequency, reminders)]) for a per-strand mix."""
    rng = random.Random(9)
    for i in range(count):
        chosen = rng.sample(strands, rng.randint(1, 3))
        yield i, [(strand, rng.choice(FREQUENCIES), rng.random() < 0.5) for strand in chosen]


def seed_subscribers(count: int, strands: list[tuple[int, str]]) -> None:
    """Bulk-insert confirmed subscribers and their subscriptions, a chunk at a time."""
    people, follows = [], []
    for i, chosen in mix(count, strands):
        people.append(
            {
                "email": f"reader{i}@bench.example.org",
                "status": "confirmed",
                "token_version": 1,
                "created_at": CONFIRMED,
                "confirmed_at": CONFIRMED,
                "bounce_score": 0,
            }
        )
        # Subscriber ids run 1..N in a fresh database.
        follows += [
            {
                "subscriber_id": i + 1,
                "strand_id": strand_id,
                "frequency": frequency,
                "reminders": reminders,
                "created_at": CONFIRMED,
            }
            for (strand_id, _), frequency, reminders in chosen
        ]
        if len(people) == CHUNK or i == count - 1:
            write_rows(Subscriber.__table__, people)
            write_rows(Subscription.__table__, follows)
            db.session.commit()
            people, follows = [], []


def write_rows(table, rows: list[dict]) -> None:
    """Insert rows: with COPY on PostgreSQL (a million rows in seconds), else executemany."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = db.session.connection().connection.driver_connection
    with raw.cursor().copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def write_import_file(path: Path, count: int, strands: list[tuple[int, str]]) -> None:
    """The same mix as a CSV in the import format, with consent so rows arrive confirmed."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["email", "strands", "frequency", "reminders", "consent_at", "consent_source"]
        )
        for i, chosen in mix(count, strands):
            writer.writerow(
                [
                    f"reader{i}@bench.example.org",
                    ";".join(slug for (_, slug), _, _ in chosen),
                    ";".join(f"{slug}={frequency}" for (_, slug), frequency, _ in chosen),
                    ";".join(f"{slug}={'true' if r else 'false'}" for (_, slug), _, r in chosen),
                    CONFIRMED.isoformat(),
                    "bench",
                ]
            )


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


def command(env: dict, *args: str) -> tuple[str, float, float]:
    """Run a notifier command; return its output, wall seconds and peak memory in MB.

    The output gains the command's own CPU seconds: on a busy machine they show what the
    command cost where wall time shows what else was running.
    """
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(NOTIFIER), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"notifier {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
    cpu = sum(
        float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    return f"{done.stdout.strip()}; {cpu:.2f} s CPU in the command", seconds, peak / 1024


def run_case(case: str, url: str, instance: Path, subscribers: int, updates: int) -> None:
    config = {"database_url": url, "secret_key": "bench", "instance_path": instance}
    env = {
        **os.environ,
        "NOTIFIER_DATABASE_URL": url,
        "NOTIFIER_SECRET_KEY": "bench",
        "NOTIFIER_INSTANCE_PATH": str(instance),
        "NOTIFIER_LOG_LEVEL": "WARNING",
    }
    app = create_app({**config, "log_level": "WARNING"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        name = db.engine.dialect.name
        label = f"{name} {case} {subscribers:,}"
        strands = list(db.session.execute(select(Strand.id, Strand.slug).order_by(Strand.position)))
        pairs = [(strand_id, slug) for strand_id, slug in strands]
        started = time.perf_counter()
        if case == "import":
            path = instance / "list.csv"
            write_import_file(path, subscribers, pairs)
            db.session.remove()
            out, seconds, peak = command(
                env, "subscribers", "import", str(path), "--now", NOW.isoformat()
            )
            print(f"{label}: subscribers import took {seconds:.1f} s, peak {peak:.0f} MB")
        else:
            seed_subscribers(subscribers, pairs)
            if case == "live":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            print(f"{label}: bulk-loaded in {time.perf_counter() - started:.1f} s")
        feed_id = seed_updates(updates, [strand_id for strand_id, _ in pairs]).id
        # The day's updates already went to the immediate strands as they came in: their
        # immediate runs are done, so the fan-out timed below is the one new update's alone.
        for update_id in db.session.scalars(select(Update.id)):
            db.session.add(
                ScheduledRun(
                    kind=immediate.KIND,
                    period_key=immediate.run_key(update_id),
                    period_end=NOW - timedelta(hours=1),
                    started_at=NOW - timedelta(hours=1),
                    finished_at=NOW - timedelta(hours=1),
                )
            )
        db.session.commit()
        db.session.remove()

        out, seconds, peak = command(env, "digests", "daily", "--now", NOW.isoformat())
        queued = db.session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.kind == "digest")
        )
        print(
            f"{label}: daily run queued {queued:,} digests in {seconds:.2f} s "
            f"(command wall time), peak memory {peak:.0f} MB [{out.splitlines()[-1]}]"
        )

        one = Update(
            feed_id=feed_id,
            guid="bench-now",
            title="For everyone",
            content_hash="f" * 64,
            stored_at=NOW + timedelta(minutes=5),
        )
        db.session.add(one)
        db.session.commit()
        db.session.remove()
        later = (NOW + timedelta(minutes=10)).isoformat()
        out, seconds, peak = command(env, "digests", "immediate", "--now", later)
        print(
            f"{label}: one general update fanned out in {seconds:.2f} s, peak {peak:.0f} MB [{out}]"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--case", choices=["live", "fresh", "import", "all"], default="all")
    args = parser.parse_args()
    cases = ["live", "fresh", "import"] if args.case == "all" else [args.case]
    for case in cases:
        with (
            tempfile.TemporaryDirectory() as folder,
            scratch_database(args.database_url, Path(folder), "notifier_bench") as url,
        ):
            run_case(case, url, Path(folder), args.subscribers, args.updates)


if __name__ == "__main__":
    main()
