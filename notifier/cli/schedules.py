"""`notifier digests|send|reminders|announcements|scheduler`: one step by hand, or the clock."""

from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from notifier.announcements import sending as announcements
from notifier.cli.options import now_option, resolve_now
from notifier.schedules import digests, immediate, reminders


@click.command("digests")
@click.argument("kind", type=click.Choice(["immediate", *digests.KINDS]))
@now_option
@with_appcontext
def digests_command(kind: str, now):
    """Queue the digests due now, exactly as the clock would (immediate: as `send immediate`)."""
    now = resolve_now(now)
    if kind == "immediate":
        # Kept from before `send immediate` existed: immediate emails are not digests.
        _send_immediate(now)
        return
    started = time.perf_counter()
    done = digests.queue_due(kind, now)
    took = f"in {time.perf_counter() - started:.2f} s"
    for run in done:
        click.echo(f"{kind} digest {run.period_key}: queued {run.emails_queued} emails {took}")
    if not done:
        click.echo(f"{kind} digest: nothing due (the latest period is done)")


@click.group("send")
def send_group():
    """Queue emails that are not digests, exactly as the clock would."""


@send_group.command("immediate")
@now_option
@with_appcontext
def send_immediate(now):
    """Queue the immediate emails of updates stored since the last run."""
    _send_immediate(resolve_now(now))


def _send_immediate(now) -> None:
    started = time.perf_counter()
    queued = immediate.send_new_updates(now)
    click.echo(f"immediate: queued {queued} emails in {time.perf_counter() - started:.2f} s")


@click.command("reminders")
@now_option
@with_appcontext
def reminders_command(now):
    """Queue the deadline reminders due now, and notes on moved deadlines."""
    now = resolve_now(now)
    done = reminders.queue_due(now)
    for run in done:
        click.echo(f"reminders {run.period_key}: queued {run.emails_queued} emails")
    if not done:
        click.echo("reminders: nothing due (the latest period is done)")
    click.echo(f"deadline moved: queued {reminders.notify_moved(now)} emails")


@click.group("announcements")
def announcements_group():
    """Announcements to subscribers."""


@announcements_group.command("send-due")
@now_option
@with_appcontext
def send_due(now):
    """Queue the announcements whose send time has come."""
    for item in announcements.send_due(resolve_now(now)):
        click.echo(f"announcement {item.id}: queued {item.emails_queued} emails")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the clock: polls, digests, reminders, announcements, clean-up (one acts at a time)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from notifier.schedules.clock import Clock

    clock = Clock(current_app._get_current_object())
    click.echo(f"scheduler {clock.holder} starting")
    # SIGTERM (a process manager stopping us) only sets a flag. Raised from the handler, it
    # landed wherever the main thread was, once inside APScheduler, which caught it, logged it
    # and ran on. So the jobs run in the background and the main thread only waits.
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _: stopping.append(signum))
    runner = clock.schedule(BackgroundScheduler(timezone="UTC"))
    runner.start()
    try:
        while not stopping:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        # Let the running job finish first, or it could take the lease back after.
        clock.stop()
        runner.shutdown(wait=True)
        clock.release()
