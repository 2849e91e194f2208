"""`notifier subscribers import|export|unsuppress`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from notifier.bounces.suppression import SuppressionError, unsuppress
from notifier.cli.options import fail, now_option, resolve_now
from notifier.database import analyze
from notifier.extensions import db
from notifier.subscriptions.transfer import (
    BadImport,
    export_rows,
    import_rows,
    read_rows,
    write_csv,
)


@click.group("subscribers")
def subscribers():
    """Import, export and look after subscribers."""


@subscribers.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@now_option
@with_appcontext
def import_command(path: Path, now):
    """Import FILE.csv; a file with any bad row imports nothing and names the lines."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _refuse([f"cannot read {path}: {exc}"])
    try:
        rows = read_rows(text, resolve_now(now))
        report = import_rows(rows, resolve_now(now))
    except BadImport as exc:
        db.session.rollback()
        _refuse(exc.lines)
    db.session.commit()
    # A bulk load leaves the planner guessing until these tables are analyzed.
    analyze(db.session, "subscribers", "subscriptions", "consent_records", "outbox")
    db.session.commit()
    click.echo(
        f"imported {len(rows)} rows: {report.confirmed} confirmed, "
        f"{report.awaiting_confirmation} asked to confirm, "
        f"{report.departed} kept unsubscribed or suppressed as the file says, "
        f"{report.skipped} left as they were (already confirmed, unsubscribed or suppressed)"
    )


@subscribers.command("export")
@with_appcontext
def export_command():
    """Write every subscriber as CSV to standard output."""
    write_csv(export_rows(), sys.stdout)


@subscribers.command("unsuppress")
@click.argument("email")
@with_appcontext
def unsuppress_command(email: str):
    """Lift the suppression of an address that bounced or complained."""
    try:
        subscriber = unsuppress(email)
    except SuppressionError as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    click.echo(f"{subscriber.email} is no longer suppressed (now {subscriber.status})")


def _refuse(lines: list[str]) -> None:
    click.echo("nothing was imported:", err=True)
    for line in lines:
        click.echo(f"  {line}", err=True)
    sys.exit(2)
