"""/metrics in Prometheus text that moves with the mail, and /healthz that says what is wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from notifier.delivery.engine import deliver_due
from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import utcnow
from notifier.schedules import locks
from tests.support.mailing import subscriber
from tests.support.pages import submit

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]


def samples(text: str) -> dict[tuple, float]:
    """Every sample, keyed by (name, sorted labels); the parser refuses malformed text."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


def sent(values, kind: str, outcome: str) -> float:
    return values.get(("notifier_emails_total", (("kind", kind), ("outcome", outcome))), 0.0)


def replies(values, reply: str) -> float:
    return values.get(("notifier_smtp_replies_total", (("reply", reply),)), 0.0)


def deliver(app) -> None:
    backend = from_url(app.config["NOTIFIER"].mail_url)
    try:
        deliver_due(backend, utcnow())
    finally:
        backend.close()


def test_metrics_parse_and_move_when_mail_is_sent_or_refused(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    client = app.test_client()
    with app.app_context():
        before = scrape(client)
        submit(client, email="ada@example.org")
        submit(client, email="bob@example.org")
        waiting = scrape(client)
        assert waiting[("notifier_subscribers", (("status", "pending"),))] == 2
        assert waiting[("notifier_queue_due_emails", ())] == 2
        smtp_server.handler.replies.append("550 5.1.1 no such user")
        deliver(app)
        after = scrape(client)

    assert sent(after, "confirm", "sent") == sent(before, "confirm", "sent") + 1
    assert sent(after, "confirm", "failed") == sent(before, "confirm", "failed") + 1
    assert replies(after, "2xx") == replies(before, "2xx") + 1
    assert replies(after, "5xx") == replies(before, "5xx") + 1
    assert after[("notifier_queue_due_emails", ())] == 0
    assert after[("notifier_outbox_emails", (("kind", "confirm"), ("status", "sent")))] == 1
    assert after[("notifier_subscribers", (("status", "suppressed"),))] == 1


def test_metrics_ask_for_the_token_when_one_is_set(make_app):
    client = make_app(metrics_token="s3cret-metrics").test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert scrape(client, Authorization="Bearer s3cret-metrics")


def test_counters_add_up_across_processes_in_multiprocess_mode(make_app, smtp_server, tmp_path):
    """A worker process sends; another process's /metrics counts it, through the shared folder."""
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        submit(app.test_client(), email="ada@example.org")
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        NOTIFIER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NOTIFIER_SECRET_KEY="test-secret",
        NOTIFIER_MAIL_URL=smtp_server.url,
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "other"),
        NOTIFIER_LOG_LEVEL="WARNING",
    )
    worker = subprocess.run(
        [*NOTIFIER, "worker", "--once"], env=env, capture_output=True, timeout=60
    )
    assert worker.returncode == 0, worker.stderr
    assert len(smtp_server.received) == 1
    web = subprocess.run(
        [
            sys.executable,
            "-c",
            "from notifier import create_app; "
            "print(create_app().test_client().get('/metrics').get_data(as_text=True))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert web.returncode == 0, web.stderr
    values = samples(web.stdout)
    assert sent(values, "confirm", "sent") == 1
    assert replies(values, "2xx") == 1


@pytest.fixture
def health(make_app):
    app = make_app(health_cache_seconds=0, health_heartbeat_max_seconds=60)
    with app.app_context():
        yield app, app.test_client()


def test_healthz_reports_heartbeat_queue_and_polls(health):
    app, client = health
    locks.beat(locks.HEARTBEAT, "clock-1", utcnow() - timedelta(seconds=5))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok" and body["database"] == "ok" and body["reasons"] == []
    assert 4 <= body["scheduler"]["heartbeat_age_seconds"] < 60
    assert body["queue"] == {"due": 0, "oldest_due_at": None, "oldest_due_age_seconds": None}
    assert body["feeds"] == {"last_success_at": None}


def test_healthz_is_503_when_the_heartbeat_is_stale(health):
    app, client = health
    locks.beat(locks.HEARTBEAT, "clock-1", utcnow() - timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unhealthy"
    [reason] = response.json["reasons"]
    assert re.match(r"scheduler heartbeat is 30\d s old", reason)
    assert "NOTIFIER_HEALTH_HEARTBEAT_MAX_SECONDS, 60" in reason
    locks.beat(locks.HEARTBEAT, "clock-1", utcnow())
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_oldest_due_email_waited_too_long(health):
    app, client = health
    person = subscriber("ada@example.org")
    enqueue(
        "late", "confirm", person.email, subscriber_id=person.id, now=utcnow() - timedelta(hours=1)
    )
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["queue"]["due"] == 1
    assert re.match(r"the oldest due email has waited 360\d s", response.json["reasons"][0])


def test_healthz_is_503_when_the_database_is_away(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path}/no/such/dir/notifier.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
    assert response.json["reasons"] == ["database unavailable: OperationalError"]
