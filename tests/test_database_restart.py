"""A worker and a scheduler outlive PostgreSQL restarting under them, fast and then immediate.

A private cluster made with initdb (run as the postgres user), so the test may restart and
crash it without touching the shared server. `pg_ctl restart -m immediate` is a crash as far
as clients can tell.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from notifier import create_app
from notifier.extensions import db
from notifier.models import Lock, Outbox
from tests.support.mailing import crowd, queue
from tests.test_delivery_processes import NOTIFIER, _wait_until

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL server of our own, owned by the postgres user."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, _free_port()
        self.data = folder / "data"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(folder, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, tool: str, *args: str) -> None:
        command = [f"{BIN[0]}/{tool}", *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", action, *args
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster():
    if not BIN:
        pytest.fail("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    # Not under pytest's folder: the postgres user cannot enter root's private temp folders.
    folder = Path(tempfile.mkdtemp(prefix="notifier-pg-"))
    server = Cluster(folder)
    server.ctl("start")
    yield server
    server.ctl("stop", "-m", "immediate")
    shutil.rmtree(folder, ignore_errors=True)


def _process(command: str, url: str, smtp_url: str, tmp_path: Path, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update(
        NOTIFIER_DATABASE_URL=url,
        NOTIFIER_SECRET_KEY="test-secret",
        NOTIFIER_BASE_URL="http://notifier.test",
        NOTIFIER_MAIL_URL=smtp_url,
        NOTIFIER_INSTANCE_PATH=str(tmp_path / f"{command}-instance"),
        NOTIFIER_LOG_LEVEL="WARNING",
    )
    env.update({f"NOTIFIER_{key.upper()}": str(value) for key, value in settings.items()})
    return subprocess.Popen(
        [*NOTIFIER, command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_worker_and_scheduler_live_through_postgresql_restarts(cluster, smtp_server, tmp_path):
    app = create_app(
        {"database_url": cluster.url, "secret_key": "test-secret", "instance_path": tmp_path}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        people = crowd(240)
        queue("already_subscribed", people)
        everyone = {person.email for person in people}
        db.session.remove()
        db.engine.dispose()

    # Slowed to 30 messages a second, so both restarts land in the middle of the run.
    settings = {"mail_rate_per_second": 30, "worker_idle_seconds": 0.2, "mail_lease_seconds": 30}
    worker = _process("worker", cluster.url, smtp_server.url, tmp_path, **settings)
    scheduler = _process("scheduler", cluster.url, smtp_server.url, tmp_path)
    try:
        assert _wait_until(lambda: len(smtp_server.received) >= 40, 60)
        cluster.ctl("restart", "-m", "fast")
        assert _wait_until(lambda: len(smtp_server.received) >= 120, 90)
        cluster.ctl("restart", "-m", "immediate")
        done = _wait_until(lambda: {m.rcpt_tos[0] for m in smtp_server.received} >= everyone, 120)
        assert done, f"{len(smtp_server.received)} delivered"
        assert worker.poll() is None and scheduler.poll() is None, "a process died"
        # The scheduler still acts: its lease is renewed by the heartbeat after the restarts.
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as conn:
            first = conn.execute(select(Lock.until).where(Lock.name == "scheduler")).scalar()
        assert _wait_until(lambda: _lease(engine) != first, 45), "the scheduler stopped acting"
        assert _wait_until(lambda: _queued(engine) == 0, 60), "rows left queued"
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all()
            )
            sent_at_least_once = conn.execute(
                select(Outbox.to_address).where(Outbox.status == "sent")
            ).scalars()
            assert len(set(sent_at_least_once)) == 240
        engine.dispose()
    finally:
        for process in (worker, scheduler):
            process.send_signal(signal.SIGTERM)
        outputs = [p.communicate(timeout=30) for p in (worker, scheduler)]
    # Outcomes answered 250 while the database was away were kept and written later: no repeat.
    # (The scheduler queues reminders of the sample feed's deadlines too: counted by row.)
    counts = Counter(m.message["Message-ID"] for m in smtp_server.received)
    assert max(counts.values()) == 1, [mid for mid, n in counts.items() if n > 1]
    assert len(counts) == sum(statuses.values())
    assert set(statuses) == {"sent"}
    assert worker.returncode == 0 and scheduler.returncode == 0, outputs
    assert "Traceback" not in outputs[0][1], outputs[0][1][-3000:]


def _lease(engine):
    try:
        with engine.connect() as conn:
            return conn.execute(select(Lock.until).where(Lock.name == "scheduler")).scalar()
    except Exception:
        return None


def _queued(engine) -> int | None:
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'queued'")
            ).scalar()
    except Exception:
        return None
