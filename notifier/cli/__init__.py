"""The `notifier` command: Flask's CLI with our commands, and one-line errors for operators."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError, OperationalError

from notifier.cli import (
    admin,
    bounces,
    deadline_admin,
    doctor,
    feeds,
    housekeeping,
    schedules,
    serve,
    subscribers,
    updates,
    worker,
)
from notifier.cli.options import fail
from notifier.settings import ConfigError

# Every command beside Flask's own; a command not listed here does not exist.
COMMANDS: tuple[click.Command, ...] = (
    serve.serve,
    worker.worker,
    schedules.scheduler,
    feeds.poll,
    feeds.feeds,
    updates.updates,
    schedules.digests_command,
    schedules.send_group,
    schedules.reminders_command,
    schedules.announcements_group,
    housekeeping.housekeeping,
    doctor.doctor,
    subscribers.subscribers,
    deadline_admin.deadlines,
    bounces.bounces,
    admin.admin,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; bad configuration exits 2 with one line, no traceback."""
    from notifier import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        fail(str(exc))
    group = FlaskGroup(
        create_app=lambda: app, load_dotenv=False, help="notifier: mailing list for policy updates."
    )
    try:
        group.main(args=argv, prog_name="notifier")
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        fail(f"cannot use the database ({_redacted(app)}): {reason}")
    except ConfigError as exc:
        fail(str(exc))


def _redacted(app: Flask) -> str:
    from sqlalchemy.engine import make_url

    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
