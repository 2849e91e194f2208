"""CPU time per request inside the WSGI app: the calendars, plain and 304, beside hello-world.

Usage: .venv/bin/python -m bench.calendars.cpu [--requests 1000] [--deadlines 40] [--meetings 15]

No server and no sockets: each request is one call of the app, timed by process CPU time, the
best of five batches. Other people's load on a shared machine moves this much less than the
requests/s bench/calendars/run measures, so it tells a 304 from a 200 where wrk cannot.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.calendars.__main__ import bench_env, seed  # noqa: E402
from notifier import create_app  # noqa: E402


def _caller(wsgi, path: str, headers: dict[str, str]):
    environ = EnvironBuilder(path=path, headers=headers).get_environ()
    seen: dict = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    def once() -> None:
        body = wsgi(dict(environ), start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()

    once()
    return once, seen


def cpu_per_request(wsgi, path: str, requests: int, headers: dict[str, str] | None = None):
    """Microseconds of CPU per request, and the status it answered."""
    once, seen = _caller(wsgi, path, headers or {})
    for _ in range(200):
        once()
    batches = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(requests):
            once()
        batches.append((time.process_time() - start) / requests * 1e6)
    return min(batches), seen["status"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--deadlines", type=int, default=40)
    parser.add_argument("--meetings", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(folder)
        seed(env, args.deadlines, args.meetings)
        config = {"database_url": env["NOTIFIER_DATABASE_URL"], "secret_key": "bench"}
        app = create_app({**config, "instance_path": folder})
        hello = Flask("hello")
        hello.get("/")(lambda: "Hello, world!")
        rows = []
        for path in ("/deadlines.ics", "/calendar.ics"):
            etag = _caller(app, path, {})[1]["headers"]["ETag"]
            rows.append((path, *cpu_per_request(app, path, args.requests)))
            poll = {"If-None-Match": etag}
            rows.append((f"{path}, 304", *cpu_per_request(app, path, args.requests, poll)))
        rows.append(("hello-world /", *cpu_per_request(hello, "/", args.requests)))
    hello_cost = rows[-1][1]
    print(f"{args.deadlines} deadlines, {args.meetings} meetings; CPU µs per request, best of 5")
    for name, cost, status in rows:
        print(f"{name:24} {status:18} {cost:8.0f} µs  {cost / hello_cost:5.2f}x hello-world's")


if __name__ == "__main__":
    main()
