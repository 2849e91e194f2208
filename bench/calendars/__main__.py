"""Calendar benchmark: requests/s of the calendars, plain and conditional, beside hello-world.

Usage: bench/calendars/run [--deadlines 40] [--meetings 15] [--seconds 5] [--connections 20]
                           [--rounds 1]

Builds a throwaway SQLite database with that many open deadlines and confirmed meetings, serves
notifier and a one-route Flask app each with `gunicorn -w 2` on loopback, and drives both in
the same run with `wrk -t2` (apt-get install wrk): /deadlines.ics and /calendar.ics as a new
subscriber asks for them, then with If-None-Match as calendar programs poll (304s), then the
hello-world route. Figures are requests per second; compare within one run, not across runs.
With --rounds N each route is driven N times in turn and its median is given, so that on a
shared machine every route sees much the same load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from notifier import create_app  # noqa: E402
from notifier.extensions import db  # noqa: E402
from notifier.models import Deadline, Feed, Meeting, Strand, Update  # noqa: E402

VENV = ROOT / ".venv" / "bin"
HELLO = """from flask import Flask
app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(folder: Path) -> dict[str, str]:
    """The environment a bench app runs in: its own instance folder and SQLite database."""
    return {
        **os.environ,
        "NOTIFIER_INSTANCE_PATH": str(folder),
        "NOTIFIER_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "NOTIFIER_SECRET_KEY": "bench",
    }


def seed(env: dict, deadlines: int, meetings: int) -> None:
    subprocess.run([VENV / "notifier", "db", "upgrade"], env=env, check=True, capture_output=True)
    app = create_app(
        {
            "database_url": env["NOTIFIER_DATABASE_URL"],
            "secret_key": "bench",
            "instance_path": Path(env["NOTIFIER_INSTANCE_PATH"]),
        }
    )
    now = datetime.now(UTC)
    with app.app_context():
        strands = db.session.query(Strand).all()
        feed = Feed(url="http://bench.invalid/feed", baselined=True)
        db.session.add(feed)
        db.session.flush()
        for n in range(deadlines):
            update = Update(
                feed_id=feed.id,
                guid=f"g{n}",
                link=f"https://bench.invalid/{n}",
                title=f"Draft proposals {n} for comment",
                content_text="x" * 500,
                content_hash=f"{n:064d}",
                published_at=now,
                stored_at=now,
                strands=[strands[n % len(strands)]],
            )
            db.session.add(update)
            db.session.add(
                Deadline(
                    update=update,
                    at=now + timedelta(days=3 + n),
                    sentence="Comments are invited until then.",
                )
            )
        for n in range(meetings):
            start = now + timedelta(days=2 + n)
            db.session.add(
                Meeting(
                    strand=strands[n % len(strands)],
                    title=f"Working group {n}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place="Online",
                    status="confirmed",
                    registration_url=f"https://tickets.invalid/{n}",
                )
            )
        db.session.commit()


def serve(app_spec: str, env: dict, cwd: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [VENV / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", app_spec],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 - loopback
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{app_spec} did not start")


def wrk(url: str, seconds: int, connections: int, header: str | None = None) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if header:
        args[1:1] = ["-H", header]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=40)
    parser.add_argument("--meetings", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=20)
    # On a shared machine the load moves between runs: rounds interleave the routes and the
    # median of each is reported, so every route sees much the same load.
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/calendars needs wrk: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(folder)
        seed(env, args.deadlines, args.meetings)
        (folder / "hello.py").write_text(HELLO)
        notifier, base = serve("notifier:create_app()", env, ROOT)
        hello, hello_base = serve("hello:app", env, folder)
        try:
            runs = []  # (name, url, header): each is driven once a round, in turn
            for path in ("/deadlines.ics", "/calendar.ics"):
                with urllib.request.urlopen(base + path) as answer:  # noqa: S310 - loopback
                    etag, size = answer.headers["ETag"], len(answer.read())
                runs.append((f"{path} ({size} bytes)", base + path, None))
                runs.append((f"{path}, If-None-Match (304)", base + path, f"If-None-Match: {etag}"))
            runs.append(("hello-world /", hello_base + "/", None))
            rates: dict[str, list[float]] = {name: [] for name, _, _ in runs}
            for _ in range(args.rounds):
                for name, url, header in runs:
                    rates[name].append(wrk(url, args.seconds, args.connections, header))
        finally:
            for proc in (notifier, hello):
                proc.terminate()
                proc.wait()
    rows = [(name, statistics.median(found)) for name, found in rates.items()]
    hello_rate = rows[-1][1]
    print(
        f"{args.deadlines} deadlines, {args.meetings} meetings; gunicorn -w 2; "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s; median of {args.rounds} round(s)"
    )
    for name, rate in rows:
        print(f"{name:48} {rate:9.0f} req/s  {rate / hello_rate:5.2f}x hello-world")


if __name__ == "__main__":
    main()
