"""bench/delivery: `notifier worker --once` on real daily digests, against a bare smtplib loop.

    .venv/bin/python bench/delivery [--count 20000] [--pg postgresql://postgres@127.0.0.1/postgres]

Each case queues COUNT real daily digests (20 updates stored; each digest lists the ones in
the subscriber's strands and the general ones, 9 to 16: 12 to 16 KB), then times whole
`notifier worker --once` processes, start-up included, into loopback aiosmtpd sinks
(bench/delivery/sink.py) that wait L ms before answering each DATA, as a remote relay does.
The bare loop (each message built with EmailMessage from a real digest's text and HTML, sent
one after another over one smtplib connection) runs in the same run against the same sink,
over fewer messages (BARE_COUNT): its rate is steady, and at 20 ms it would take minutes.
With several workers each gets its own sink process, so the sink is not the limit.
One line per case:

    delivery: db=… workers=W connections=C latency_ms=L msg_s=X bare_msg_s=Y ratio=R rss_mb=M
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
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.support.databases import scratch_database  # noqa: E402

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a daily digest instant (08:00 GMT)
BARE_COUNT = {0: 2000, 20: 300}
TEXT = (
    "The working group met to review the draft code of practice and the responses so far. "
    "It agreed changes to the sections on data minimisation, on how long shared data may be "
    "kept, and on the safeguards for research access. Comments are invited on the new text."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(latency_ms: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(HERE / "sink.py"), str(port), str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink, port


def env_for(database_url: str, port: int, instance: Path, connections: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=database_url,
        NOTIFIER_SECRET_KEY="bench-secret",
        NOTIFIER_BASE_URL="https://updates.example.org",
        NOTIFIER_MAIL_URL=f"smtp://127.0.0.1:{port}",
        NOTIFIER_INSTANCE_PATH=str(instance),
        NOTIFIER_LOG_LEVEL="WARNING",
        NOTIFIER_MAIL_CONNECTIONS=str(connections),
    )
    return env


def fill_queue(database_url: str, instance: Path, count: int) -> tuple[str, str]:
    """Migrate, store the day's updates and COUNT subscribers, queue their daily digests.

    Returns one digest's text and HTML, for the bare loop's messages of the same size.
    """
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from notifier import create_app
    from notifier.emails import render
    from notifier.extensions import db
    from notifier.models import Feed, Outbox, Strand, Update, update_strands
    from notifier.schedules import digests

    sys.path.insert(0, str(HERE.parent))
    from fanout import seed_subscribers

    app = create_app(
        {"database_url": database_url, "secret_key": "bench-secret", "instance_path": instance}
    )
    with app.app_context():
        upgrade()
        listed = list(db.session.execute(select(Strand.id, Strand.slug).order_by(Strand.position)))
        seed_subscribers(count, [tuple(row) for row in listed])
        strands = [strand_id for strand_id, _ in listed]
        feed = Feed(url="http://bench.example.org/feed", baselined=True)
        db.session.add(feed)
        db.session.flush()
        for k in range(20):
            row = Update(
                feed_id=feed.id,
                guid=f"bench-{k}",
                title=f"Working group note {k}: the draft code of practice",
                link=f"https://policy.example.org/updates/{k}",
                content_text=TEXT,
                content_html=f"<p>{TEXT}</p>",
                content_hash=f"{k:064d}",
                stored_at=NOW - timedelta(hours=23, minutes=k),
            )
            db.session.add(row)
            db.session.flush()
            if k % 4 != 3:  # every fourth one is general: it goes to everyone
                chosen = {strands[k % 3]} | ({strands[(k + 1) % 3]} if k % 5 == 0 else set())
                db.session.execute(
                    insert(update_strands), [{"update_id": row.id, "strand_id": s} for s in chosen]
                )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        digests.queue_due("daily", NOW)
        sample = db.session.scalars(select(Outbox).where(Outbox.kind == "digest").limit(1)).one()
        email = render(sample)
        db.session.remove()
        db.engine.dispose()
    return email.text, email.html


def bare_loop(port: int, count: int, text: str, html: str) -> float:
    """Messages per second: build each EmailMessage, send over one smtplib connection."""
    conn = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n in range(count):
        msg = EmailMessage()
        msg["From"] = "Data sharing updates <updates@notifier.example.org>"
        msg["To"] = f"reader{n:06d}@example.org"
        msg["Subject"] = "Your daily digest: 8 updates"
        msg["Message-ID"] = f"<{n}.bare@notifier.example.org>"
        link = f"https://updates.example.org/unsubscribe/{n:032d}"
        msg.set_content(text + link)
        msg.add_alternative(html.replace("</body>", f'<a href="{link}">x</a></body>'), "html")
        conn.send_message(msg)
    elapsed = time.perf_counter() - started
    conn.quit()
    return count / elapsed


def run_workers(envs: list[dict[str, str]]) -> tuple[float, list[int]]:
    """Wall time for one `notifier worker --once` per env to drain the queue; their peak RSS.

    Peak memory comes from /usr/bin/time: the rusage of a child forked straight from this
    (large) process would count the parent's pages it inherited before exec.
    """
    started = time.perf_counter()
    now = (NOW + timedelta(minutes=1)).isoformat()
    procs = [
        subprocess.Popen(
            ["/usr/bin/time", "-f", "peak-kb %M", *NOTIFIER, "worker", "--once", "--now", now],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in envs
    ]
    peaks = []
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"worker failed:\n{err}")
        peaks.append(int(re.findall(r"^peak-kb (\d+)$", err, re.MULTILINE)[-1]) // 1024)
    return time.perf_counter() - started, peaks


def case(server: str, count: int, workers: int, connections: int, latency: int) -> None:
    sinks = [start_sink(latency) for _ in range(workers)]
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            scratch_database(server, Path(folder), "notifier_bench") as url,
        ):
            instance = Path(folder)
            text, html = fill_queue(url, instance, count)
            bare = bare_loop(sinks[0][1], min(count, BARE_COUNT.get(latency, 300)), text, html)
            envs = [env_for(url, port, instance, connections) for _, port in sinks]
            elapsed, peaks = run_workers(envs)
            rate = count / elapsed
            name = "postgresql" if server else "sqlite"
            print(
                f"delivery: db={name} workers={workers} connections={connections} "
                f"latency_ms={latency} msg_s={rate:.0f} bare_msg_s={bare:.0f} "
                f"ratio={rate / bare:.2f} rss_mb={max(peaks)}",
                flush=True,
            )
    finally:
        for sink, _ in sinks:
            sink.terminate()
            sink.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--pg", default="", help="PostgreSQL server URL for its cases")
    parser.add_argument("--only", default="", help="run only cases whose line contains this")
    args = parser.parse_args()
    cases = [("", 1, 4, 0), ("", 1, 4, 20), ("", 1, 16, 20)]
    if args.pg:
        cases += [(args.pg, 1, 4, 0), (args.pg, 1, 16, 20), (args.pg, 4, 4, 0)]
    for server, workers, connections, latency in cases:
        label = f"db={'postgresql' if server else 'sqlite'} workers={workers} connections="
        label += f"{connections} latency_ms={latency}"
        if args.only in label:
            case(server, args.count, workers, connections, latency)


if __name__ == "__main__":
    main()
