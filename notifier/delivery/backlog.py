"""What the database could not take while it was away: outcomes and held rows, written later."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError

from notifier.delivery import outcomes, store
from notifier.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Release:
    """Rows a lane held when the database went away, to hand back once it returns."""

    ids: tuple[int, ...]
    worker: str

    def write(self, connection) -> None:
        store.release(list(self.ids), self.worker, connection)


def database_gone(exc: BaseException) -> bool:
    """A lost or refused database connection (or SQLite busy past its timeout): wait it out."""
    return isinstance(exc, OperationalError | InterfaceError)


def flush(backlog: list) -> bool:
    """Write the outcomes kept through an outage, oldest first; False while the database is away."""
    if not backlog:
        return True
    try:
        with store.outcome_connection() as connection:
            while backlog:
                item = backlog[0]
                if isinstance(item, outcomes.Outcome):
                    outcomes.write(connection, item, None)
                else:
                    item.write(connection)
                backlog.pop(0)
    except Exception as exc:
        if not database_gone(exc):
            raise
        with contextlib.suppress(Exception):
            db.session.rollback()
        return False
    log.warning("database back: wrote the outcomes kept while it was away")
    return True
