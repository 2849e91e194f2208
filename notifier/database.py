"""Bind the database and migrations to the app."""

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from notifier.extensions import db, migrate
from notifier.settings import ROOT

MIGRATIONS = ROOT / "migrations"


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers run beside the one writer; foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def insert_ignoring_duplicates(table):
    """An INSERT … ON CONFLICT DO NOTHING: rows whose unique key exists are skipped, not errors."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def check(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


def analyze(session, *tables: str, stale_only: bool = False) -> list[str]:
    """Refresh PostgreSQL's planner statistics of these tables; return those analyzed.

    A bulk load leaves a table without statistics until autovacuum gets to it (never, where it
    is off), and the planner then guesses. stale_only: just the tables never analyzed or
    changed by over a tenth since. SQLite plans well enough from its indexes: nothing to do.
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    if stale_only:
        tables = tuple(
            session.scalars(
                text(
                    "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:tables) AND ("
                    " coalesce(last_analyze, last_autoanalyze) IS NULL"
                    " OR n_mod_since_analyze > greatest(1000, n_live_tup / 10))"
                ),
                {"tables": list(tables)},
            )
        )
    for table in tables:
        session.execute(text(f'ANALYZE "{table}"'))
    return list(tables)
