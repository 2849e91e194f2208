"""Import benchmark: `notifier subscribers import` of a CSV of N rows; rows/s and peak memory.

Usage: bench/import [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                    [--rows 100000] [--again]

On a new throwaway database (a temporary SQLite file without a URL) it writes a CSV of N
rows in the export format - each row following 1-3 strands with its own frequency and
reminders, most with consent (confirmed), one in ten without (asked to confirm, so a
confirmation email each), one in twenty unsubscribed and one in fifty suppressed - and times
the import in its own process, reading its peak memory with /usr/bin/time. --again imports
the same file a second time (every address then already there) and times that too.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from notifier import create_app  # noqa: E402
from notifier.extensions import db  # noqa: E402
from notifier.models import Outbox, Strand, Subscriber  # noqa: E402
from notifier.models.people import FREQUENCIES  # noqa: E402
from tests.support.databases import scratch_database  # noqa: E402

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
CONSENT = NOW - timedelta(days=30)
NOTIFIER = ROOT / ".venv" / "bin" / "notifier"
HEADER = [
    "email",
    "strands",
    "frequency",
    "reminders",
    "consent_at",
    "consent_source",
    "status",
    "confirmed_at",
    "consent_ip",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
]


def write_file(path: Path, rows: int, slugs: list[str]) -> None:
    rng = random.Random(11)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            chosen = rng.sample(slugs, rng.randint(1, min(3, len(slugs))))
            frequencies = [rng.choice(FREQUENCIES) for _ in chosen]
            reminders = ["true" if rng.random() < 0.5 else "false" for _ in chosen]
            kind = i % 100
            consent = kind % 10 != 9
            status = (
                "suppressed"
                if kind % 50 == 7
                else "unsubscribed"
                if kind % 20 == 3
                else ("confirmed" if consent else "pending")
            )
            writer.writerow(
                [
                    f"reader{i}@bench{i % 97}.example.org",
                    ";".join(chosen),
                    ";".join(f"{s}={f}" for s, f in zip(chosen, frequencies, strict=True)),
                    ";".join(f"{s}={r}" for s, r in zip(chosen, reminders, strict=True)),
                    CONSENT.isoformat() if consent else "",
                    "bench sign-up sheet" if consent else "",
                    status,
                    CONSENT.isoformat() if consent and status != "pending" else "",
                    f"192.0.2.{i % 250 + 1}" if consent else "",
                    (CONSENT + timedelta(days=1)).isoformat() if status == "unsubscribed" else "",
                    (CONSENT + timedelta(days=2)).isoformat() if status == "suppressed" else "",
                    "hard bounce 5.1.1" if status == "suppressed" else "",
                ]
            )


def timed_import(env: dict, path: Path) -> tuple[str, float, float, float]:
    """Run the import; return its last line, wall seconds, CPU seconds and peak RSS in MB."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            str(NOTIFIER),
            "subscribers",
            "import",
            str(path),
            "--now",
            NOW.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stdout}\n{done.stderr}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1]) / 1024
    cpu = sum(
        float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    return done.stdout.strip().splitlines()[-1], seconds, cpu, peak


def timed_startup(env: dict) -> float:
    """Wall seconds of a notifier command that does nothing: the part of each run not import."""
    started = time.perf_counter()
    subprocess.run(
        [str(NOTIFIER), "subscribers", "--help"], env=env, capture_output=True, check=True
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--again", action="store_true", help="import the same file twice")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(args.database_url, Path(folder), "notifier_bench") as url,
    ):
        instance = Path(folder)
        app = create_app(
            {
                "database_url": url,
                "secret_key": "bench",
                "instance_path": instance,
                "log_level": "WARNING",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            name = db.engine.dialect.name
            slugs = list(db.session.scalars(select(Strand.slug).order_by(Strand.position)))
            db.session.remove()
            path = instance / "list.csv"
            write_file(path, args.rows, slugs)
            size = path.stat().st_size / 1e6
            env = {
                **os.environ,
                "NOTIFIER_DATABASE_URL": url,
                "NOTIFIER_SECRET_KEY": "bench",
                "NOTIFIER_INSTANCE_PATH": str(instance),
                "NOTIFIER_LOG_LEVEL": "WARNING",
            }
            startup = timed_startup(env)
            print(f"{name}: starting notifier itself (`subscribers --help`) takes {startup:.2f} s")
            runs = ["first", "again"] if args.again else ["first"]
            for run in runs:
                out, seconds, cpu, peak = timed_import(env, path)
                print(
                    f"{name} import ({run}) {args.rows:,} rows ({size:.1f} MB): {seconds:.2f} s, "
                    f"{args.rows / seconds:,.0f} rows/s, {cpu:.2f} s CPU, peak RSS {peak:.0f} MB"
                )
                print(f"  [{out}]")
            subscribers = db.session.scalar(select(func.count()).select_from(Subscriber))
            emails = db.session.scalar(select(func.count()).select_from(Outbox))
            print(f"  {subscribers:,} subscribers and {emails:,} confirmation emails queued")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
