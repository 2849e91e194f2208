"""Options shared by commands that depend on the clock, and the one way a command fails."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import NoReturn

import click
from flask import has_app_context
from flask.cli import ScriptInfo

from notifier.models import utcnow
from notifier.moments import BadMoment, parse_moment
from notifier.settings import current_settings


class IsoDateTime(click.ParamType):
    """An ISO 8601 moment; without an offset it is local time in NOTIFIER_TIMEZONE."""

    name = "ISO-8601"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return parse_moment(value, _zone(ctx))
        except BadMoment as exc:
            self.fail(str(exc), param, ctx)


def _zone(ctx):
    """The site's zone; options are parsed before Flask pushes the command's app context."""
    if has_app_context():
        return current_settings().tz
    return ctx.ensure_object(ScriptInfo).load_app().config["NOTIFIER"].tz


now_option = click.option(
    "--now",
    type=IsoDateTime(),
    default=None,
    help="Act as if it were this moment (ISO 8601; local time if no offset).",
)


def resolve_now(now: datetime | None) -> datetime:
    return now or utcnow()


def fail(message: str) -> NoReturn:
    """Stop the command with one line and exit status 2: no traceback for an operator."""
    click.echo(f"notifier: error: {message}", err=True)
    sys.exit(2)
