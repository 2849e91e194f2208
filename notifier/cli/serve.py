"""`notifier serve`: web, scheduler and worker in one process, for one machine or a trial."""

from __future__ import annotations

import functools
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import make_server

from notifier.delivery.loop import Worker
from notifier.mail.backends import from_url
from notifier.redact import RedactingRequestHandler


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Migrate the database, then serve the web app with the worker and the clock beside it."""
    app = current_app._get_current_object()
    upgrade()
    stop = threading.Event()
    threading.Thread(target=_deliver, args=(app, stop), name="worker", daemon=True).start()
    clock, scheduler = _start_clock(app)
    click.echo(
        f"notifier serving on http://{host}:{port}/ (mail: {app.config['NOTIFIER'].mail_url})"
    )
    server = make_server(host, port, app, threaded=True, request_handler=RedactingRequestHandler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        scheduler.shutdown(wait=True)
        clock.release()
        server.server_close()


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
