"""The `notifier` command: Flask's CLI with our commands, and one-line errors for operators."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError, OperationalError

from notifier.discovery import submodules
from notifier.settings import ConfigError


def init_app(app: Flask) -> None:
    """Add every command that a module of this package lists in its `commands` tuple."""
    for module in submodules("notifier.cli"):
        for command in getattr(module, "commands", ()):
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


def fail(message: str) -> None:
    click.echo(f"notifier: error: {message}", err=True)
    sys.exit(2)


def _redacted(app: Flask) -> str:
    from sqlalchemy.engine import make_url

    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
