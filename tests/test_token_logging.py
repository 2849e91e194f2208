"""Subscriber tokens never reach the request log of `notifier serve`."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

from werkzeug.serving import make_server

from notifier.redact import RedactingRequestHandler, redact


def test_redact_replaces_tokens_in_every_token_path():
    line = 'GET /confirm/WzEsMV0.abc.def?x=1 HTTP/1.1" /manage/Wz.x /unsubscribe/Wz.y /healthz'
    assert redact(line) == (
        'GET /confirm/[token]?x=1 HTTP/1.1" /manage/[token] /unsubscribe/[token] /healthz'
    )


def test_served_request_log_has_no_token(app, caplog):
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=RedactingRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = "WzEsMV0.secret-token-value.signature"
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}/unsubscribe/{secret}")
            except urllib.error.HTTPError as exc:
                assert exc.code == 400
    finally:
        server.shutdown()
        server.server_close()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/unsubscribe/[token]" in logged
    assert secret not in logged
