"""The foundation as an operator meets it: configuration, commands, health, and the outbox."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from notifier.admins import live_token
from notifier.delivery.engine import deliver_due
from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import Outbox, Strand, Subscriber, utcnow

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]


def run_cli(args, env_extra, tmp_path, input_text=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update({"NOTIFIER_INSTANCE_PATH": str(tmp_path / "inst"), **env_extra})
    return subprocess.run(
        NOTIFIER + args, env=env, capture_output=True, text=True, input=input_text, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NOTIFIER_DATABASE_URL": "not a url"}, "NOTIFIER_DATABASE_URL is not a database URL"),
        (
            {"NOTIFIER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "cannot use the database",
        ),
        ({"NOTIFIER_CONFIG": "/nonexistent/notifier.toml"}, "cannot read config file"),
        ({"NOTIFIER_COLOUR": "blue"}, "unknown setting NOTIFIER_COLOUR"),
        ({"NOTIFIER_ENV": "production"}, "NOTIFIER_SECRET_KEY must be set"),
        ({"NOTIFIER_DAILY_AT": "8am"}, "NOTIFIER_DAILY_AT must be a time as HH:MM"),
        ({"NOTIFIER_TIMEZONE": "Mars/Olympus"}, "NOTIFIER_TIMEZONE is not a known time zone"),
        ({"NOTIFIER_MAIL_URL": "carrier-pigeon://loft"}, "NOTIFIER_MAIL_URL must be smtp://"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(env, message, tmp_path):
    result = run_cli(["worker", "--once"], env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_key_in_config_file_is_named(tmp_path):
    config = tmp_path / "notifier.toml"
    config.write_text('base_url = "https://updates.example.org"\nfavourite_colour = "blue"\n')
    result = run_cli(["worker", "--once"], {"NOTIFIER_CONFIG": str(config)}, tmp_path)
    assert result.returncode == 2
    assert "unknown setting 'favourite_colour'" in result.stderr


def test_config_file_is_overridden_by_environment(make_app, tmp_path, monkeypatch):
    config = tmp_path / "notifier.toml"
    config.write_text('base_url = "https://file.example.org"\ndaily_at = "07:30"\n')
    monkeypatch.setenv("NOTIFIER_CONFIG", str(config))
    monkeypatch.setenv("NOTIFIER_DAILY_AT", "06:15")
    app = make_app()
    settings = app.config["NOTIFIER"]
    assert settings.daily_time.isoformat() == "06:15:00"
    # make_app passes base_url explicitly, which outranks the file
    assert settings.base_url == "http://notifier.test"


def test_fresh_instance_gets_sqlite_and_a_secret_once(tmp_path):
    first = run_cli(["db", "upgrade"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "inst" / "secret_key"
    key = key_file.read_text()
    assert len(key) > 40
    assert (tmp_path / "inst" / "notifier.db").exists()
    again = run_cli(["updates", "--json"], {}, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "[]"
    assert key_file.read_text() == key


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_three_strands_exist_after_migration(app):
    slugs = db.session.scalars(select(Strand.slug).order_by(Strand.position)).all()
    assert slugs == ["research-statistics", "fraud-error-debt", "tailored-public-services"]


def test_admin_create_and_token(runner):
    result = runner.invoke(
        args=["admin", "create", "Ops@Example.org", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin ops@example.org" in result.output
    duplicate = runner.invoke(
        args=["admin", "create", "ops@example.org", "--password-stdin"],
        input="a long enough password\n",
    )
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    token = runner.invoke(args=["admin", "token", "ops@example.org"]).output.strip()
    assert live_token(token).admin.email == "ops@example.org"
    assert live_token(token + "x") is None


def test_admin_create_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["admin", "create", "ops@example.org", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def _pending_subscriber(email_address="reader@example.org") -> Subscriber:
    strand = db.session.scalar(select(Strand).where(Strand.slug == "fraud-error-debt"))
    subscriber = Subscriber(email=email_address)
    db.session.add(subscriber)
    db.session.flush()
    from notifier.models import Subscription

    db.session.add(Subscription(subscriber_id=subscriber.id, strand_id=strand.id))
    db.session.flush()
    return subscriber


def test_an_email_key_can_be_queued_only_once(app):
    subscriber = _pending_subscriber()
    assert enqueue("confirm:1", "confirm", subscriber.email, subscriber_id=subscriber.id)
    assert not enqueue("confirm:1", "confirm", subscriber.email, subscriber_id=subscriber.id)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 1


def test_worker_sends_due_mail_to_a_real_smtp_server_once(app, smtp_server):
    subscriber = _pending_subscriber()
    enqueue("confirm:test", "confirm", subscriber.email, subscriber_id=subscriber.id)
    db.session.commit()
    backend = from_url(smtp_server.url)
    tally = deliver_due(backend, utcnow())
    again = deliver_due(backend, utcnow())
    backend.close()
    assert (tally.sent, again.sent) == (1, 0)
    [received] = smtp_server.received
    assert received.rcpt_tos == ["reader@example.org"]
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert "Confirm your subscription" in message["Subject"]
    assert "http://notifier.test/confirm/" in received.text()
    row = db.session.scalar(select(Outbox))
    assert row.status == "sent"
    assert row.smtp_reply.startswith("250")
    assert row.queue_id == "TEST0001"


def test_file_backend_writes_eml_files(app, tmp_path):
    subscriber = _pending_subscriber()
    enqueue("confirm:file", "confirm", subscriber.email, subscriber_id=subscriber.id)
    db.session.commit()
    tally = deliver_due(from_url(app.config["NOTIFIER"].mail_url), utcnow())
    assert tally.sent == 1
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "reader@example.org"


def test_serve_runs_on_embedded_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env["NOTIFIER_INSTANCE_PATH"] = str(tmp_path / "inst")
    port = 18000 + os.getpid() % 1000
    proc = subprocess.Popen(
        NOTIFIER + ["serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        # Start-up (imports, migrations, the sample feed) takes seconds on a busy machine.
        deadline = time.monotonic() + 60
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.1)
        assert body is not None, proc.stdout.read().decode() if proc.poll() is not None else ""
        assert '"database":"ok"' in body.replace(" ", "")
        assert (tmp_path / "inst" / "notifier.db").exists()
    finally:
        # How fast serve stops is tests/test_serve.py's business; here it only has to stop.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
