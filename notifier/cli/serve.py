"""`notifier serve`: web (waitress threads), scheduler and worker in one process.

For one machine or a trial. Waitress is a production WSGI server, pure Python, with no
access log (so no token lands in one). SIGTERM and Ctrl-C stop all three: the web server stops
taking requests, the worker finishes the message in hand, the clock its job, and gives up its
lease so another clock can act at once.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import threading
import tomllib

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from waitress import create_server

from notifier.delivery.loop import Worker
from notifier.mail.backends import from_url
from notifier.settings import DEFAULTS_FILE

ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 - names them, binds nothing


class Stopped(KeyboardInterrupt):
    """SIGTERM arrived: unwind the web server's loop like Ctrl-C does.

    A KeyboardInterrupt, because waitress's loop passes those on; a plain exception raised in
    one of its handlers would be caught there as that handler's error, and serving go on.
    """


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@with_appcontext
def serve(host: str, port: int, threads: int):
    """Migrate the database, then serve the web app with the worker and the clock beside it."""
    app = current_app._get_current_object()
    upgrade()
    server = create_server(
        app, host=host, port=port, threads=threads, clear_untrusted_proxy_headers=True
    )
    _links_follow(app, host, server.effective_port)
    stop = threading.Event()
    worker = threading.Thread(target=_deliver, args=(app, stop), name="worker")
    worker.start()
    clock, scheduler = _start_clock(app)
    settings = app.config["NOTIFIER"]
    click.echo(
        f"notifier serving on http://{host}:{server.effective_port}/ with {threads} threads "
        f"(links: {settings.base_url}; mail: {settings.mail_url})"
    )
    signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        server.run()
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        click.echo("notifier: stopping web, worker and clock")
        # Waitress drains its request threads itself only on Ctrl-C; on SIGTERM they must be
        # stopped before the server closes, or a thread finishing a request writes to a closed
        # trigger and dies with a traceback.
        server.task_dispatcher.shutdown()
        server.close()
        stop.set()
        clock.stop()
        scheduler.shutdown(wait=True)
        clock.release()
        worker.join(timeout=60)


def _links_follow(app, host: str, port: int) -> None:
    """Without NOTIFIER_BASE_URL (still the default), links point where this server listens."""
    settings = app.config["NOTIFIER"]
    with DEFAULTS_FILE.open("rb") as fh:
        default = tomllib.load(fh)["base_url"].rstrip("/")
    if settings.base_url != default:
        return
    shown = "127.0.0.1" if host in ANY_ADDRESS else host
    shown = f"[{shown}]" if ":" in shown else shown
    app.config["NOTIFIER"] = dataclasses.replace(settings, base_url=f"http://{shown}:{port}")


def _raise_stopped(*_):
    raise Stopped


def _start_clock(app):
    """The scheduler in its own thread; its database lease keeps it the only clock acting."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from notifier.schedules.clock import Clock

    clock = Clock(app)
    scheduler = clock.schedule(BackgroundScheduler(timezone="UTC"))
    scheduler.start()
    return clock, scheduler


def _deliver(app, stop: threading.Event) -> None:
    mailer = functools.partial(from_url, app.config["NOTIFIER"].mail_url)
    Worker(app, mailer, stop).run()
