"""Log lines as text or JSON, naming the request or outbox row, never a token or an address."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from flask import current_app

from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.logs.context import bind_outbox
from notifier.logs.formats import JsonFormatter, TextFormatter
from notifier.settings import ConfigError
from tests.support.mailing import subscriber

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]
TOKEN = "WzEsMjM0NV0.aw9SJQ.UDuMp6rKC2KGuxtg-sXd5iN1gx8"


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("notifier.test", logging.WARNING, __file__, 1, message, args, None)


def test_both_formats_redact_tokens_and_addresses_and_name_the_row():
    line = record("sent %s to %s via /manage/%s", "x", "Ada.Lovelace@Example.org", TOKEN)
    with bind_outbox(42):
        text = TextFormatter().format(line)
        entry = json.loads(JsonFormatter().format(line))
    assert text.endswith(
        "WARNING notifier.test sent x to [address]@Example.org via /manage/[token] [outbox_id=42]"
    )
    assert entry["message"] == "sent x to [address]@Example.org via /manage/[token]"
    assert (entry["level"], entry["logger"], entry["outbox_id"]) == ("WARNING", "notifier.test", 42)
    assert entry["time"].endswith("+00:00")
    bare = record("a token %s alone", TOKEN)
    assert TOKEN not in TextFormatter().format(bare)
    assert "Ada" not in TextFormatter().format(record("to Ada.Lovelace@example.org"))


def test_a_request_names_its_id_in_the_log_and_in_the_answer(make_app):
    app = make_app()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    app.logger.addHandler(handler)

    def noisy():
        current_app.logger.warning("looked up ada@example.org")
        return "ok"

    app.add_url_rule("/noisy", view_func=noisy)
    client = app.test_client()
    given = client.get("/noisy", headers={"X-Request-ID": "lb-7f3a"})
    made = client.get("/noisy", headers={"X-Request-ID": "not sane; drop table"})
    app.logger.removeHandler(handler)
    assert given.headers["X-Request-ID"] == "lb-7f3a"
    assert len(made.headers["X-Request-ID"]) == 32
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (
        first["request_id"] == "lb-7f3a" and first["message"] == "looked up [address]@example.org"
    )
    assert second["request_id"] == made.headers["X-Request-ID"]


def test_a_worker_logs_json_lines_naming_the_outbox_row(app, tmp_path):
    person = subscriber("ada@example.org")
    enqueue("broken", "digest", person.email, subscriber_id=person.id, payload={})
    db.session.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NOTIFIER_SECRET_KEY="test-secret",
        NOTIFIER_MAIL_URL=(tmp_path / "mail").as_uri(),
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "worker"),
        NOTIFIER_LOG_FORMAT="json",
    )
    worker = subprocess.run(
        [*NOTIFIER, "worker", "--once"], env=env, capture_output=True, text=True, timeout=60
    )
    assert worker.returncode == 0, worker.stderr
    entries = [json.loads(line) for line in worker.stderr.splitlines() if line.strip()]
    [failure] = [entry for entry in entries if entry.get("outbox_id")]
    assert failure["level"] == "ERROR" and "could not be rendered" in failure["message"]
    assert failure["exception"].startswith("Traceback") and "IndexError" in failure["exception"]
    assert "ada@example.org" not in worker.stderr


def test_an_unknown_log_format_is_named(make_app):
    with pytest.raises(ConfigError, match="NOTIFIER_LOG_FORMAT must be text or json, got 'xml'"):
        make_app(log_format="xml")
