"""The two line formats; both redact the whole line, exception text included."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from notifier.logs import context
from notifier.logs.redaction import redact


class TextFormatter(logging.Formatter):
    """time level logger message [request=… outbox=…]"""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = context.current()
        if ids:
            line += " [" + " ".join(f"{key}={value}" for key, value in ids.items()) + "]"
        return redact(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the bound ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **context.current(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
