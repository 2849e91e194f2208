"""Real `notifier worker` processes: killed mid-batch, and several draining one queue.

Runs on SQLite (the lease guard) and, in the PostgreSQL run, on PostgreSQL (SKIP LOCKED).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest

from notifier.models import utcnow
from tests.support.mailing import crowd, queue, statuses

NOTIFIER = [sys.executable, "-c", "from notifier.cli import main; main()"]


def _worker(app, smtp_server, tmp_path, *args, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NOTIFIER_SECRET_KEY="test-secret",
        NOTIFIER_BASE_URL="http://notifier.test",
        NOTIFIER_MAIL_URL=smtp_server.url,
        NOTIFIER_INSTANCE_PATH=str(tmp_path / "worker-instance"),
        NOTIFIER_LOG_LEVEL="WARNING",
    )
    env.update({f"NOTIFIER_{key.upper()}": str(value) for key, value in settings.items()})
    return subprocess.Popen(
        [*NOTIFIER, "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop_all(workers, timeout: float = 30) -> list[tuple[str, str]]:
    """SIGTERM every worker; each must exit 0 within timeout. Return their outputs."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    outputs = [w.communicate(timeout=timeout) for w in workers]
    for worker, (_, errors) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, errors
    return outputs


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("connections", [1, 4])
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_one_per_connection(
    app, smtp_server, tmp_path, connections
):
    people = crowd(300)
    queue("already_subscribed", people)
    settings = {
        "mail_lease_seconds": 2,
        "mail_batch_size": 50 // connections,
        "worker_idle_seconds": 0.2,
        "mail_connections": connections,
    }

    first = _worker(app, smtp_server, tmp_path, **settings)
    assert _wait_until(lambda: len(smtp_server.received) >= 80, 60), first.stderr.read()
    first.send_signal(signal.SIGKILL)  # no chance to finish anything
    first.wait(10)
    delivered_before = len(smtp_server.received)
    assert delivered_before < 300, "killed too late to be mid-batch"

    second = _worker(app, smtp_server, tmp_path, **settings)
    everyone = {p.email for p in people}
    done = _wait_until(lambda: {m.rcpt_tos[0] for m in smtp_server.received} >= everyone, 60)
    second.send_signal(signal.SIGTERM)
    _, errors = second.communicate(timeout=20)
    assert done, errors
    assert second.returncode == 0, errors

    counts = Counter(m.rcpt_tos[0] for m in smtp_server.received)
    assert set(counts) == everyone
    repeated = [address for address, n in counts.items() if n > 1]
    # At most the one message in flight on each connection: sent, but its 250 not recorded.
    assert len(repeated) <= connections and all(counts[a] == 2 for a in repeated)
    assert statuses() == {"sent": 300}


def test_four_workers_drain_one_queue_with_no_duplicates(app, smtp_server, tmp_path):
    people = crowd(400)
    # Due in a few seconds, so all four workers are up and polling when the race starts.
    queue("already_subscribed", people, now=utcnow() + timedelta(seconds=4))
    # A rate limit keeps one early worker from draining everything before the others start
    # (50 a second each: the rate is shared by all workers). One connection each, as SQLite's
    # single writer would otherwise be shared by sixteen lanes; the next test runs four each.
    settings = {
        "mail_batch_size": 20,
        "worker_idle_seconds": 0.1,
        "mail_rate_per_second": 200,
        "mail_connections": 1,
    }
    workers = [_worker(app, smtp_server, tmp_path, **settings) for _ in range(4)]

    everyone = {p.email for p in people}
    done = _wait_until(lambda: {m.rcpt_tos[0] for m in smtp_server.received} >= everyone, 120)
    outputs = _stop_all(workers)
    assert done, outputs

    counts = Counter(m.rcpt_tos[0] for m in smtp_server.received)
    assert set(counts) == everyone
    assert max(counts.values()) == 1
    assert statuses() == {"sent": 400}
    connections = Counter(m.peer for m in smtp_server.received)
    assert len(connections) >= 2, f"one worker did everything: {connections} {outputs}"


def test_two_workers_with_four_connections_each_drain_one_queue_exactly_once(
    app, smtp_server, tmp_path
):
    people = crowd(400)
    queue("already_subscribed", people, now=utcnow() + timedelta(seconds=4))
    settings = {"mail_batch_size": 10, "worker_idle_seconds": 0.1, "mail_connections": 4}
    workers = [_worker(app, smtp_server, tmp_path, **settings) for _ in range(2)]
    everyone = {p.email for p in people}
    done = _wait_until(lambda: {m.rcpt_tos[0] for m in smtp_server.received} >= everyone, 90)
    outputs = _stop_all(workers)
    assert done, outputs
    counts = Counter(m.rcpt_tos[0] for m in smtp_server.received)
    assert set(counts) == everyone and max(counts.values()) == 1
    assert statuses() == {"sent": 400}
    # Eight SMTP sessions at most, and more than one at work.
    assert 2 <= len(Counter(m.peer for m in smtp_server.received)) <= 8


def test_two_workers_together_keep_the_shared_rate(app, smtp_server, tmp_path):
    people = crowd(200)
    queue("already_subscribed", people, now=utcnow() + timedelta(seconds=3))
    rate = 20
    settings = {
        "mail_batch_size": 10,
        "worker_idle_seconds": 0.1,
        "mail_rate_per_second": rate,
        "mail_connections": 4,
    }
    workers = [_worker(app, smtp_server, tmp_path, **settings) for _ in range(2)]
    assert _wait_until(lambda: len(smtp_server.received) >= 40, 60)
    # Measured once both are sending: from the 40th message on, for about four seconds.
    first, started = len(smtp_server.received), time.monotonic()
    time.sleep(4)
    count, elapsed = len(smtp_server.received) - first, time.monotonic() - started
    _stop_all(workers)
    # Each on its own would send 20/s (40/s together): together they keep 20/s, give or take
    # one second's burst as the shares settle, and the messages already on their way when the
    # window opened (one per connection: their tokens were taken before it, they arrive in it).
    in_flight = 2 * settings["mail_connections"]
    assert count <= rate * elapsed + rate + in_flight, (count, elapsed)
    assert count >= rate * elapsed * 0.5, (count, elapsed)
    assert len({m.peer for m in smtp_server.received}) >= 2
