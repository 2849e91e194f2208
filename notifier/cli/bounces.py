"""`notifier bounces ingest [FILE]`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from notifier.bounces.ingest import ReportError, ingest_report
from notifier.cli.options import fail, now_option, resolve_now
from notifier.extensions import db


@click.group("bounces")
def bounces():
    """Bounces and complaints."""


@bounces.command("ingest")
@click.argument("report", type=click.File("rb"), default="-")
@now_option
@with_appcontext
def ingest(report, now):
    """Read a DSN (RFC 3464) or abuse report (ARF) from FILE or stdin and act on it."""
    raw = report.read()
    try:
        recorded = ingest_report(raw, resolve_now(now), source="dsn")
    except ReportError as exc:
        db.session.rollback()
        fail(f"cannot use this report: {exc}")
    db.session.commit()
    if not recorded:
        click.echo("report says the mail was delivered: nothing to do")
    for bounce in recorded:
        click.echo(
            f"{bounce.kind} bounce for {bounce.email}"
            if bounce.kind != "complaint"
            else f"complaint from {bounce.email}"
        )
