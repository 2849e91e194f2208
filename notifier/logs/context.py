"""What a log line is about: the request or the outbox row being handled, per thread/task."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("notifier_request_id", default=None)
outbox_id: ContextVar[int | None] = ContextVar("notifier_outbox_id", default=None)


@contextlib.contextmanager
def bind_outbox(row_id: int) -> Iterator[None]:
    """Every line logged inside names this outbox row."""
    token = outbox_id.set(row_id)
    try:
        yield
    finally:
        outbox_id.reset(token)


def current() -> dict:
    """The ids bound now, for a log line (none bound: an empty dict)."""
    found = {"request_id": request_id.get(), "outbox_id": outbox_id.get()}
    return {key: value for key, value in found.items() if value is not None}
