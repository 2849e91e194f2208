"""`notifier subscribers import|export|unsuppress`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from notifier.bounces.suppression import SuppressionError, unsuppress
from notifier.cli.options import fail, now_option, resolve_now
from notifier.cli.progress import Progress, count_lines
from notifier.database import analyze
from notifier.extensions import db
from notifier.subscriptions.export import export_rows, write_csv
from notifier.subscriptions.imports import BadImport, check, run


@click.group("subscribers")
def subscribers():
    """Import, export and look after subscribers."""


@subscribers.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and say what it would do; change nothing."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on standard error (default: when it is a terminal).",
)
@now_option
@with_appcontext
def import_command(path: Path, dry_run: bool, progress: bool | None, now):
    """Import FILE.csv; a file with any bad row imports nothing and names the lines."""
    now = resolve_now(now)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    try:
        expected = count_lines(path) - 1
        with path.open("rb") as data:
            bar = Progress("checking ", expected) if show else None
            spool = check(data, now, bar)
    except OSError as exc:
        _refuse([f"cannot read {path}: {exc.strerror or exc}"])
    except BadImport as exc:
        if bar:
            bar.end()
        _refuse(exc.lines)
    if bar:
        bar.finish(spool.count)
    with spool:
        bar = Progress("importing", spool.count) if show else None
        report = run(spool, now, apply=not dry_run, progress=bar)
    if bar:
        bar.finish(report.rows)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        # A bulk load leaves the planner guessing until these tables are analyzed.
        analyze(db.session, "subscribers", "subscriptions", "consent_records", "outbox")
        db.session.commit()
    click.echo(
        f"{'would import' if dry_run else 'imported'} {report.rows} rows: "
        f"{report.confirmed} confirmed, "
        f"{report.awaiting_confirmation} asked to confirm, "
        f"{report.departed} kept unsubscribed or suppressed as the file says, "
        f"{report.skipped} left as they were (already confirmed, unsubscribed or suppressed); "
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged"
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
