"""`notifier housekeeping`: apply the retention periods now, as the clock does every hour."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from notifier.cli.options import now_option, resolve_now
from notifier.schedules.housekeeping import housekeep
from notifier.settings import current_settings


@click.command("housekeeping")
@now_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@with_appcontext
def housekeeping(now, as_json: bool):
    """Delete and erase what is past its retention period; say what went."""
    report = housekeep(resolve_now(now), current_settings())
    click.echo(json.dumps(report.as_dict()) if as_json else str(report))
