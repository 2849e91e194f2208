"""`notifier worker`: the delivery process."""

from __future__ import annotations

import functools

import click
from flask.cli import with_appcontext

from notifier import database
from notifier.cli.options import now_option, resolve_now
from notifier.delivery.engine import deliver_due
from notifier.delivery.loop import run_forever, stop_on_signals
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.settings import current_settings


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@now_option
@with_appcontext
def worker(once: bool, now):
    """Send the outbox: due rows now, then keep going (or exit with --once)."""
    url = current_settings().mail_url
    from_url(url)  # a bad NOTIFIER_MAIL_URL stops here with its one-line error
    # A database that cannot be reached at start is a setting to fix (exit 2, one line);
    # once running, the worker waits out an outage instead.
    database.check(db.engine)
    mailer = functools.partial(from_url, url)  # one backend, so one connection, per lane
    if once:
        tally = deliver_due(mailer, resolve_now(now), stop=stop_on_signals())
        click.echo(
            f"sent {tally.sent}, retrying {tally.retried}, failed {tally.failed}, "
            f"cancelled {tally.cancelled}"
        )
    else:
        run_forever(mailer)
