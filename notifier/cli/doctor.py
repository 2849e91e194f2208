"""`notifier doctor`: check this deployment; exit 1 if anything must be fixed."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from notifier.observe.checks import FAIL
from notifier.observe.doctor import run
from notifier.settings import current_settings


@click.command("doctor")
@with_appcontext
def doctor():
    """Check the secret key, base URL, database, SMTP, DKIM, feeds and clock; send nothing."""
    failed = False
    for check in run(current_settings()):
        click.echo(check.line())
        failed = failed or check.status == FAIL
    if failed:
        sys.exit(1)
