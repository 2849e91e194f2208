"""`notifier poll` and `notifier feeds`: poll the feeds and show their health."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from notifier.cli.options import now_option, resolve_now
from notifier.extensions import db
from notifier.feeds.health import describe
from notifier.feeds.poll import poll_all, sync_feeds
from notifier.models import Feed
from notifier.settings import current_settings


@click.command("poll")
@now_option
@with_appcontext
def poll(now):
    """Poll every feed once, ignoring backoff; one line per feed. Exit 1 if any feed failed."""
    results = poll_all(resolve_now(now))
    for result in results:
        if result.ok:
            state = "not modified" if result.not_modified else "ok"
            click.echo(f"{result.url}: {state}, {result.new} new, {result.changed} changed")
        else:
            click.echo(f"{result.url}: error: {result.error}")
    if any(not result.ok for result in results):
        sys.exit(1)


@click.command("feeds")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of objects.")
@now_option
@with_appcontext
def feeds(as_json: bool, now):
    """Show each feed's health: last success and error, failures in a row, fetch time, next poll."""
    sync_feeds(current_settings().feed_urls, resolve_now(now))
    tz = current_settings().tz
    rows = [describe(feed, tz) for feed in db.session.scalars(select(Feed).order_by(Feed.id))]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        state = "active" if row["active"] else "inactive"
        took = row["last_fetch_seconds"]
        click.echo(
            f"{row['url']} ({state}): last success {row['last_success'] or 'never'}, "
            f"{row['consecutive_failures']} failed in a row, "
            f"last fetch {'not yet' if took is None else f'took {took:.2f} s'}, "
            f"next {row['next_poll'] or 'now'}"
        )
        if row["last_error"]:
            click.echo(f"  last error at {row['last_error_at']}: {row['last_error']}")
