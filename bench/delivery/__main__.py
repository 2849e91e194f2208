"""bench/delivery: 20,000 personalised emails, the worker against a bare smtplib loop.

    .venv/bin/python bench/delivery [--count 20000] [--pg postgresql://postgres@127.0.0.1/postgres]

Both send into the same loopback aiosmtpd sink, running in its own process. The worker is a
real `notifier worker --once` process (its peak memory read by /usr/bin/time); the bare loop
builds each message with EmailMessage and sends it over one smtplib connection. With --pg, the
queue is also drained by 1, 2 and 4 worker processes sharing one PostgreSQL database.
"""

from __future__ import annotations

import argparse
import os
import re
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.support.databases import scratch_database  # noqa: E402

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink() -> tuple[subprocess.Popen, int]:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(HERE / "sink.py"), str(port)], stdout=subprocess.PIPE, text=True
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink, port


def env_for(database_url: str, port: int, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=database_url,
        NOTIFIER_SECRET_KEY="bench-secret",
        NOTIFIER_BASE_URL="https://updates.example.org",
        NOTIFIER_MAIL_URL=f"smtp://127.0.0.1:{port}",
        NOTIFIER_INSTANCE_PATH=str(instance),
        NOTIFIER_LOG_LEVEL="WARNING",
        NOTIFIER_MAIL_BATCH_SIZE="200",
    )
    return env


def fill_queue(database_url: str, instance: Path, count: int) -> None:
    """Migrate, then queue one personalised already_subscribed email per new subscriber."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from notifier import create_app
    from notifier.extensions import db
    from notifier.models import Outbox, Strand, Subscriber, Subscription, utcnow

    app = create_app(
        {"database_url": database_url, "secret_key": "bench-secret", "instance_path": instance}
    )
    with app.app_context():
        upgrade()
        now = utcnow()
        strand = db.session.scalar(select(Strand.id).order_by(Strand.position))
        start = db.session.scalar(select(Subscriber.id).order_by(Subscriber.id.desc())) or 0
        people = [
            {
                "email": f"reader{n:06d}@example.org",
                "status": "confirmed",
                "confirmed_at": now,
                "created_at": now,
                "frequency": "daily",
                "reminders": True,
                "token_version": 1,
                "bounce_score": 0,
            }
            for n in range(count)
        ]
        db.session.execute(insert(Subscriber), people)
        ids = list(db.session.scalars(select(Subscriber.id).where(Subscriber.id > start)))
        db.session.execute(
            insert(Subscription), [{"subscriber_id": i, "strand_id": strand} for i in ids]
        )
        db.session.execute(
            insert(Outbox),
            [
                {
                    "key": f"bench:{i}",
                    "kind": "already_subscribed",
                    "subscriber_id": i,
                    "to_address": f"reader{n:06d}@example.org",
                    "payload": {},
                    "status": "queued",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for n, i in enumerate(ids)
            ],
        )
        db.session.commit()
        db.engine.dispose()


def bare_loop(port: int, count: int) -> float:
    """Messages per second: build each EmailMessage, send over one smtplib connection."""
    conn = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n in range(count):
        msg = EmailMessage()
        msg["From"] = "Data sharing updates <updates@notifier.example.org>"
        msg["To"] = f"reader{n:06d}@example.org"
        msg["Subject"] = "You are already subscribed to Data sharing open policy updates"
        msg["Message-ID"] = f"<{n}.bare@notifier.example.org>"
        link = f"https://updates.example.org/manage/{uuid.uuid4().hex}"
        msg.set_content(f"You are already subscribed.\n\nManage your preferences:\n{link}\n")
        msg.add_alternative(
            f'<html><body><p>You are already subscribed.</p><p><a href="{link}">Manage your '
            "preferences</a></p></body></html>",
            subtype="html",
        )
        conn.send_message(msg)
    elapsed = time.perf_counter() - started
    conn.quit()
    return count / elapsed


def run_workers(env: dict[str, str], processes: int) -> tuple[float, list[int], list[str]]:
    """Wall time for n `notifier worker --once` processes to drain the queue; their peak RSS.

    Peak memory comes from /usr/bin/time: the rusage of a child forked straight from this
    (large) process would count the parent's pages it inherited before exec.
    """
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            ["/usr/bin/time", "-f", "peak-kb %M", *NOTIFIER, "worker", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    peaks, outputs = [], []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"worker failed:\n{err}")
        peak = re.findall(r"^peak-kb (\d+)$", err, re.MULTILINE)
        peaks.append(int(peak[-1]) // 1024)  # KiB -> MiB
        outputs.append(out.strip())
    return time.perf_counter() - started, peaks, outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--pg", default="", help="PostgreSQL URL for the multi-worker figures")
    args = parser.parse_args()

    sink, port = start_sink()
    try:
        with tempfile.TemporaryDirectory() as folder:
            instance = Path(folder)
            url = f"sqlite:///{instance / 'bench.db'}"
            fill_queue(url, instance, args.count)
            bare = bare_loop(port, args.count)
            elapsed, [peak], [said] = run_workers(env_for(url, port, instance), 1)
            worker = args.count / elapsed
            print(f"messages:            {args.count}")
            print(f"bare smtplib loop:   {bare:8.0f} messages/s")
            print(f"worker (SQLite):     {worker:8.0f} messages/s   ({said})")
            print(f"ratio worker/bare:   {worker / bare:8.2f}")
            print(f"worker peak memory:  {peak:8d} MB")
            if args.pg:
                for processes in (1, 2, 4):
                    with scratch_database(args.pg, instance, "notifier_bench") as pg_url:
                        fill_queue(pg_url, instance, args.count)
                        elapsed, peaks, _ = run_workers(env_for(pg_url, port, instance), processes)
                    print(
                        f"PostgreSQL, {processes} worker(s): {args.count / elapsed:8.0f} "
                        f"messages/s  (peak {max(peaks)} MB each at most)"
                    )
    finally:
        sink.terminate()
        sink.wait(10)


if __name__ == "__main__":
    main()
