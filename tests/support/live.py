"""The app behind a real HTTP server on loopback, mailing a real SMTP server."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from notifier.delivery.engine import deliver_due
from notifier.mail.backends import from_url
from notifier.models import utcnow


class NoAccessLog(WSGIRequestHandler):
    """Like `notifier serve` (waitress), no access log: request paths carry tokens."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveApp:
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def deliver(self) -> None:
        """Run the delivery worker once over everything queued so far."""
        with self.app.app_context():
            backend = from_url(self.app.config["NOTIFIER"].mail_url)
            try:
                deliver_due(backend, utcnow())
            finally:
                backend.close()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(make_app, **settings) -> LiveApp:
    """Start a threaded server on a free port, with NOTIFIER_BASE_URL pointing at it."""
    target: dict[str, Flask] = {}
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, start_response: target["app"](environ, start_response),
        threaded=True,
        request_handler=NoAccessLog,
    )
    target["app"] = make_app(base_url=f"http://127.0.0.1:{server.port}", **settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveApp(target["app"], server, thread)
