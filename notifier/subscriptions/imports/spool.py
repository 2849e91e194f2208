"""The checked rows of one file, kept on disk between the two passes of an import."""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import lru_cache

from notifier.models import Strand
from notifier.moments import parse_moment
from notifier.subscriptions.choices import Choices, Preference
from notifier.subscriptions.imports.row import Row, State


class Spool:
    """Checked rows in a private SQLite file that SQLite deletes when it is closed.

    Holding them on disk (SQLite keeps a small page cache) keeps an import's memory flat
    however long the file, and the address key finds a duplicate line in one lookup a batch.
    """

    def __init__(self) -> None:
        # An empty name: "a private, temporary on-disk database", gone when closed.
        self._db = sqlite3.connect("")
        self._db.execute(
            "CREATE TABLE rows (email TEXT PRIMARY KEY, line INTEGER NOT NULL, data BLOB NOT NULL)"
        )
        self.count = 0

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def lines_of(self, emails: list[str]) -> dict[str, int]:
        """The line each of these addresses is already on, for those kept already."""
        marks = ",".join("?" * len(emails))
        query = f"SELECT email, line FROM rows WHERE email IN ({marks})"  # noqa: S608 - marks only
        return dict(self._db.execute(query, emails))

    def add(self, rows: list[Row]) -> None:
        self._db.executemany(
            "INSERT INTO rows (email, line, data) VALUES (?, ?, ?)",
            [(row.email, row.line, _dump(row)) for row in rows],
        )
        self.count += len(rows)

    def batches(self, size: int, strands: Mapping[int, Strand]) -> Iterator[list[Row]]:
        """The rows in file order, size at a time; strands: every strand by id."""
        cursor = self._db.execute("SELECT email, line, data FROM rows ORDER BY rowid")
        # Rows share a few choices: each is built once (bounded, for memory kept flat).
        choices: dict[tuple, Choices] = {}
        while page := cursor.fetchmany(size):
            if len(choices) > 4096:
                choices.clear()
            yield [_load(email, line, data, strands, choices) for email, line, data in page]


def _dump(row: Row) -> bytes:
    # marshal: plain values only, written and read back by this process alone.
    state = row.state
    return marshal.dumps(
        (
            _preferences(row.choices),
            _iso(row.consent_at),
            row.consent_source,
            row.consent_ip,
            state
            and (
                state.status,
                _iso(state.confirmed_at),
                _iso(state.unsubscribed_at),
                _iso(state.suppressed_at),
                state.suppressed_reason,
            ),
        )
    )


@lru_cache(maxsize=4096)
def _preferences(choices: Choices) -> tuple:
    return tuple((p.strand.id, p.frequency, p.reminders) for p in choices.preferences)


def _load(email: str, line: int, data: bytes, strands: Mapping[int, Strand], built: dict) -> Row:
    preferences, consent_at, source, ip, state = marshal.loads(data)  # noqa: S302 - our own
    choices = built.get(preferences)
    if choices is None:
        choices = built[preferences] = Choices(
            tuple(Preference(strands[s], f, r) for s, f, r in preferences)
        )
    return Row(line, email, choices, _moment(consent_at), source, ip, state and _state(state))


@lru_cache(maxsize=4096)
def _state(state: tuple) -> State:
    # Rows share a few states; a Row's state is only read, so one stands in for many rows.
    status, confirmed_at, unsubscribed_at, suppressed_at, reason = state
    return State(
        status, _moment(confirmed_at), _moment(unsubscribed_at), _moment(suppressed_at), reason
    )


# Rows share a few moments (a consent date, now): each is written and read once.
@lru_cache(maxsize=4096)
def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@lru_cache(maxsize=4096)
def _moment(text: str | None) -> datetime | None:
    return parse_moment(text, UTC) if text else None
