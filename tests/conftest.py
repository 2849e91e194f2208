"""Fixtures: a fresh app and real database per test, a real SMTP server, a real HTTP server.

SQLite by default; PostgreSQL when NOTIFIER_TEST_DATABASE_URL is set (a fresh database
per run, created here and dropped at the end).
"""

from __future__ import annotations

import contextvars
import os
import shutil
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from notifier import create_app
from notifier.extensions import db
from notifier.models import Strand
from tests.support.databases import scratch_database
from tests.support.http import FeedServer
from tests.support.smtp import SmtpServer

PG_BASE = os.environ.get("NOTIFIER_TEST_DATABASE_URL", "")


def _migrate(url: str, instance: Path) -> None:
    app = create_app({"database_url": url, "secret_key": "test", "instance_path": instance})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    Without this, a request made inside a test's pushed app context shares its `g` and
    database session, which hides bugs (and breaks Flask-WTF's per-request CSRF state).
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            # The request committed in its own session: let the test's session read it afresh.
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A migrated database for this run: a template SQLite file, or a new PostgreSQL database."""
    instance = tmp_path_factory.mktemp("template")
    with scratch_database(PG_BASE, instance, "notifier_test") as url:
        _migrate(url, instance)
        if not PG_BASE:
            yield {"kind": "sqlite", "template": instance / "notifier_test.db"}
            return
        engine = create_engine(url)
        with engine.connect() as conn:
            seed = [dict(row._mapping) for row in conn.execute(Strand.__table__.select())]
        yield {"kind": "postgresql", "url": url, "engine": engine, "seed": seed}
        engine.dispose()


def _fresh_url(database, instance: Path) -> str:
    """A URL for a database holding just the migrated schema and its seed data."""
    if database["kind"] == "sqlite":
        path = instance / "notifier.db"
        shutil.copyfile(database["template"], path)
        return f"sqlite:///{path}"
    engine = database["engine"]
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))  # noqa: S608
        conn.execute(Strand.__table__.insert(), database["seed"])
        conn.execute(text("SELECT setval('strands_id_seq', (SELECT max(id) FROM strands))"))
    return database["url"]


@pytest.fixture
def make_app(database, tmp_path):
    """Build an app on a fresh database; keyword arguments override settings."""
    instance = tmp_path / "instance"
    instance.mkdir()
    url = _fresh_url(database, instance)
    apps = []

    def factory(**overrides):
        config = {
            "database_url": url,
            "secret_key": "test-secret",
            "instance_path": instance,
            "base_url": "http://notifier.test",
            "mail_url": (tmp_path / "mail").as_uri(),
            **overrides,
        }
        app = create_app(config)
        app.config["TESTING"] = True
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app with an app context pushed, so tests can call services directly."""
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()
