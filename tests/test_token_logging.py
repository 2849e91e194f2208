"""Subscriber tokens never reach what `notifier serve` logs, an unhandled error's included."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.request

from notifier.logs.redaction import redact
from tests.support.smtp import free_port
from tests.test_serve import NOTIFIER, _wait_for


def test_redact_replaces_tokens_in_every_token_path():
    line = (
        'GET /confirm/WzEsMV0.abc.def?x=1 HTTP/1.1" /manage/Wz.x /unsubscribe/Wz.y /mute/Wz.z '
        "/calendar/Wz.c.ics /healthz"
    )
    assert redact(line) == (
        'GET /confirm/[token]?x=1 HTTP/1.1" /manage/[token] /unsubscribe/[token] '
        "/mute/[token] /calendar/[token] /healthz"
    )


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_logs_no_token_for_any_request_even_when_one_breaks(smtp_server, tmp_path):
    port = free_port()
    database = tmp_path / "notifier.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "instance"),
        NOTIFIER_DATABASE_URL=f"sqlite:///{database}",
        NOTIFIER_MAIL_URL=smtp_server.url,
        NOTIFIER_WORKER_IDLE_SECONDS="0.2",
        NOTIFIER_LOG_LEVEL="DEBUG",
    )
    process = subprocess.Popen(
        [*NOTIFIER, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")
        request = urllib.request.Request(
            f"{base}/api/v1/subscriptions",
            data=json.dumps(
                {"email": "ada@example.org", "strands": ["research-statistics"]}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()
        [message] = smtp_server.wait_for(1, timeout=30)
        link = re.search(r"http://\S+/confirm/(\S+)", message.text())
        token = link[1]
        assert _get(link[0]) == 200
        forged = "WzEsMV0.secret-token-value.signature"
        for kind in ("confirm", "manage", "unsubscribe", "mute", "calendar"):
            assert _get(f"{base}/{kind}/{forged}") in {400, 404}
        # A real token on a page that then breaks: the error is logged, with its path.
        with sqlite3.connect(database) as conn:
            conn.execute("ALTER TABLE subscribers RENAME TO gone")
        assert _get(link[0]) == 500
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert "unhandled error on GET /confirm/[token]" in output
    assert token not in output
    assert forged not in output
    assert "secret-token-value" not in output
