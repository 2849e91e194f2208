"""`notifier updates`: list stored updates."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from notifier.publish.listing import list_updates


@click.command("updates")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of objects.")
@click.option("--limit", default=0, type=int, help="Newest N only (0: all).")
@with_appcontext
def updates(as_json: bool, limit: int):
    """List stored updates, newest first, with their strands and deadlines."""
    rows = list_updates(limit or None)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        deadline = f"  deadline {row['deadline']}" if row["deadline"] else ""
        strands = ",".join(row["strands"]) or "general"
        click.echo(f"{row['published'] or '-'}  [{strands}]  {row['title']}{deadline}")
