"""`notifier serve`: waitress, the clock and the worker in one process, on whatever port."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from tests.support.smtp import free_port

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]


def _wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_answers_on_its_port_and_its_first_email_links_there(smtp_server, tmp_path, stop):
    port = free_port()
    database = tmp_path / "notifier.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "instance"),
        NOTIFIER_DATABASE_URL=f"sqlite:///{database}",
        NOTIFIER_MAIL_URL=smtp_server.url,
        NOTIFIER_WORKER_IDLE_SECONDS="0.2",
    )
    process = subprocess.Popen(
        [*NOTIFIER, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = json.loads(_wait_for(f"http://127.0.0.1:{port}/healthz"))
        assert health["database"] == "ok"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/subscriptions",
            data=json.dumps(
                {"email": "ada@example.org", "strands": ["research-statistics"]}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 202
        [message] = smtp_server.wait_for(1, timeout=30)
        link = re.search(r"http://\S+/confirm/\S+", message.text())[0]
        assert link.startswith(f"http://127.0.0.1:{port}/confirm/")
        page = _wait_for(link).decode()
        assert "Confirm your subscription" in page
        # The worker and the clock run in there too: the clock beats its heartbeat (healthz
        # answers from a one-second cache, so ask until it shows).
        deadline = time.monotonic() + 30
        while not json.loads(_wait_for(f"http://127.0.0.1:{port}/healthz"))["scheduler"]["seen"]:
            assert time.monotonic() < deadline, "no heartbeat from the clock in serve"
            time.sleep(0.3)
    finally:
        process.send_signal(stop)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "notifier: stopping web, worker and clock" in output
    assert "Traceback" not in output
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        # The clock gave its lease back on the way out, so another can act at once.
        assert (
            conn.execute(text("SELECT count(*) FROM locks WHERE name = 'scheduler'")).scalar() == 0
        )
    engine.dispose()
