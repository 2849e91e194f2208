"""`notifier deadlines set GUID ISO|none`: correct a deadline as an admin would."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from notifier.cli.options import now_option, resolve_now
from notifier.extensions import db
from notifier.feeds.corrections import correct_deadline, parse_deadline_input
from notifier.models import Update
from notifier.moments import rfc3339
from notifier.settings import current_settings


@click.group("deadlines")
def deadlines():
    """Comment deadlines."""


@deadlines.command("set")
@click.argument("guid")
@click.argument("when", metavar="ISO|none")
@now_option
@with_appcontext
def set_deadline(guid: str, when: str, now):
    """Set the update's deadline (ISO 8601; a bare date is the end of that day) or 'none'."""
    tz = current_settings().tz
    ids = list(db.session.scalars(select(Update.id).where(Update.guid == guid)))
    if len(ids) != 1:
        raise click.UsageError(f"{len(ids)} updates have the guid {guid!r}; expected exactly one")
    try:
        at = None if when.strip().lower() == "none" else parse_deadline_input(when, tz)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="ISO|none") from None
    deadline = correct_deadline(ids[0], at, "cli", resolve_now(now))
    db.session.commit()
    if deadline.cancelled:
        click.echo(f"{guid}: not a deadline (cancelled by an admin)")
    else:
        click.echo(f"{guid}: deadline {rfc3339(deadline.at, tz)}")
