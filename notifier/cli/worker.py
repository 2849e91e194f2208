"""`notifier worker`: the delivery process."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from notifier.cli.options import now_option, resolve_now
from notifier.delivery.loop import run_forever, stop_on_signals
from notifier.delivery.worker import deliver_due
from notifier.mail.backends import from_url


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@now_option
@with_appcontext
def worker(once: bool, now):
    """Send the outbox: due rows now, then keep going (or exit with --once)."""
    backend = from_url(current_app.config["NOTIFIER"].mail_url)
    try:
        if once:
            tally = deliver_due(backend, resolve_now(now), stop=stop_on_signals())
            click.echo(
                f"sent {tally.sent}, retrying {tally.retried}, failed {tally.failed}, "
                f"cancelled {tally.cancelled}"
            )
        else:
            run_forever(backend)
    finally:
        backend.close()


commands = (worker,)
