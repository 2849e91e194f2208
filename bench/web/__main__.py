"""bench/web: requests per second of GET / and GET /healthz beside a hello-world Flask app.

    .venv/bin/python bench/web [--duration 10] [--connections 20] [--workers 2] [--pg URL]

Both apps run under gunicorn with the same number of sync workers, on loopback, in the same
run, one after the other, and are measured with the same load generator: wrk when it is
installed (this script runs `apt-get install -y wrk` if it can), else a Python keep-alive load
loop, which the output names, since it measures less than wrk can. Targets (issue 15):
GET / at least 0.5 times the hello-world rate, /healthz at least 0.8 times. One line per
route:

    web: load=wrk db=sqlite route=/ rps=X hello_rps=Y ratio=R target=0.5 ok
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.databases import scratch_database  # noqa: E402

BIN = Path(sys.executable).parent
TARGETS = {"/": 0.5, "/healthz": 0.8}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_tool() -> str:
    """wrk if installed or installable from Debian; otherwise the Python loop."""
    if shutil.which("wrk"):
        return "wrk"
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
        if shutil.which("wrk"):
            return "wrk"
    return "python"


def gunicorn(app: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return process
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"gunicorn {app} did not start: {process.stderr.read().decode()}"
                ) from exc
            time.sleep(0.2)


def measure(tool: str, url: str, duration: float, connections: int) -> float:
    if tool == "wrk":
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration:.0f}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if errors:
            raise SystemExit(f"{url}: {errors[1]} answers were not 2xx/3xx:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    return python_load(url, duration, connections)


def python_load(url: str, duration: float, connections: int) -> float:
    """Keep-alive GETs from `connections` threads for `duration` seconds; requests/s."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    path = url.split(port, 1)[1] or "/"
    counts = [0] * connections
    stop = time.monotonic() + duration

    def loop(n: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path)
            answer = conn.getresponse()
            answer.read()
            if answer.status >= 400:
                raise SystemExit(f"{url} answered {answer.status}")
            counts[n] += 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="", help="PostgreSQL base URL (default: SQLite)")
    args = parser.parse_args()
    tool = load_tool()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        with scratch_database(args.pg, instance, "bench_web") as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
            env.update(
                NOTIFIER_DATABASE_URL=url,
                NOTIFIER_INSTANCE_PATH=str(instance),
                NOTIFIER_SECRET_KEY="bench-secret-key-long-enough-for-doctor-0123456789",
                NOTIFIER_LOG_LEVEL="WARNING",
                # The rate limits guard the writes; GET / and /healthz are not limited anyway.
            )
            subprocess.run(
                [str(BIN / "notifier"), "db", "upgrade"], env=env, check=True, capture_output=True
            )
            db = "postgresql" if args.pg else "sqlite"
            hello_port, app_port = free_port(), free_port()
            hello = gunicorn("hello:app", hello_port, args.workers, env, HERE)
            try:
                hello_rps = measure(
                    tool, f"http://127.0.0.1:{hello_port}/", args.duration, args.connections
                )
            finally:
                hello.terminate()
                hello.wait()
            app = gunicorn("notifier:create_app()", app_port, args.workers, env, ROOT)
            try:
                for route, target in TARGETS.items():
                    rps = measure(
                        tool, f"http://127.0.0.1:{app_port}{route}", args.duration, args.connections
                    )
                    ratio = rps / hello_rps
                    verdict = "ok" if ratio >= target else "BELOW TARGET"
                    print(
                        f"web: load={tool} db={db} workers={args.workers} "
                        f"connections={args.connections} route={route} rps={rps:.0f} "
                        f"hello_rps={hello_rps:.0f} ratio={ratio:.2f} target={target} {verdict}",
                        flush=True,
                    )
            finally:
                app.terminate()
                app.wait()


if __name__ == "__main__":
    main()
