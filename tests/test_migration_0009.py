"""Migration 0009 on a database with announcements, their emails and admins from before it."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from notifier import create_app
from notifier.extensions import db
from notifier.models import Admin, Announcement, Outbox
from tests.conftest import PG_BASE
from tests.support.databases import scratch_database

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def seed() -> None:
    db.session.execute(
        text(
            "INSERT INTO admins (id, email, password_hash, created_at)"
            " VALUES (1, 'old@example.org', 'x', :c)"
        ),
        {"c": WHEN},
    )
    for n, queued, cancelled in ((1, WHEN, None), (2, None, None), (3, None, WHEN)):
        db.session.execute(
            text(
                "INSERT INTO announcements (id, subject, body_markdown, strands, created_at,"
                " send_at, queued_at, emails_queued, cancelled_at)"
                " VALUES (:id, 's', 'b', '[]', :c, :c, :q, 0, :x)"
            ),
            {"id": n, "c": WHEN, "q": queued, "x": cancelled},
        )
    for key, kind in (("announcement:1:7", "announcement"), ("digest:daily:x:7", "digest")):
        db.session.execute(
            text(
                "INSERT INTO outbox (key, kind, to_address, payload, status, attempts, created_at,"
                " next_attempt_at) VALUES (:k, :kind, 'a@example.org', '{}', 'sent', 1, :c, :c)"
            ),
            {"k": key, "kind": kind, "c": WHEN},
        )
    db.session.commit()


def test_upgrade_gives_states_roles_and_announcement_ids_and_downgrades(tmp_path):
    with scratch_database(PG_BASE, tmp_path, "notifier_migration_0009") as url:
        app = create_app({"database_url": url, "secret_key": "t", "instance_path": tmp_path})
        with app.app_context():
            upgrade(revision="0005")
            seed()
            db.session.remove()
            upgrade()
            with db.engine.connect() as conn:
                assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
            states = {a.id: a.state for a in db.session.query(Announcement)}
            assert states == {1: "queued", 2: "scheduled", 3: "cancelled"}
            ids = {row.key: row.announcement_id for row in db.session.query(Outbox)}
            assert ids == {"announcement:1:7": 1, "digest:daily:x:7": None}
            assert db.session.query(Admin).one().role == "owner"
            db.session.remove()
            downgrade(revision="0005")
            with db.engine.connect() as conn:
                columns = conn.execute(text("SELECT * FROM announcements")).keys()
            assert "state" not in columns
            db.engine.dispose()
