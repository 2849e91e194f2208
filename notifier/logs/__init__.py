"""Logging for every process: text or one JSON object per line, tokens and addresses redacted.

configure() is called by create_app; context.bind() adds a request id or an outbox id to every
line logged inside it (the web layer binds each request's, the delivery lanes each row's).
"""

from __future__ import annotations

import logging
import sys

from notifier.logs.formats import JsonFormatter, TextFormatter

FORMATS = ("text", "json")


def configure(level: str, fmt: str) -> None:
    """Give the root logger our handler, as logging.basicConfig would, in the chosen format.

    Like basicConfig, it leaves a root logger someone else set up (a test runner) alone, but
    for our handler: called again (another app in the same process), it only updates it.
    """
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if getattr(handler, "notifier", False)]
    if not ours and root.handlers:
        return
    handler = ours[0] if ours else logging.StreamHandler(sys.stderr)
    handler.notifier = True
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if not ours:
        root.addHandler(handler)
    root.setLevel(level)
