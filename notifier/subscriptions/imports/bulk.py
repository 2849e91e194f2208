"""Many rows into a table at once, past the ORM: COPY on PostgreSQL, executemany on SQLite.

Values are converted here, once per distinct moment, as the columns' own types would convert
them; that per-value work inside SQLAlchemy is what made row-by-row inserts slow.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import JSON, ColumnElement, Table, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY

from notifier.extensions import db
from notifier.models.base import UTCDateTime

# Rows per multi-row INSERT: well under SQLite's 32,766 and psycopg's 65,535 parameters.
CHUNK = 500


class Bulk:
    """Bulk writes in the session's transaction, on its connection."""

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.postgresql = self.dialect.name == "postgresql"

    def copy(self, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert rows that cannot conflict with any already there."""
        if not rows:
            return
        rows = self._converted(table, columns, rows)
        names = ", ".join(columns)
        if self.postgresql:
            raw = self.connection.connection.driver_connection
            with raw.cursor().copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self.connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608 - names only
            rows,
        )

    def insert_new(
        self,
        table: Table,
        columns: Sequence[str],
        rows: list[tuple],
        returning: Sequence[str] = (),
    ) -> list[tuple]:
        """INSERT ... ON CONFLICT DO NOTHING; return the `returning` of the rows added.

        PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT from it (binding
        tens of thousands of parameters costs more than the insert). SQLite: multi-row VALUES.
        """
        if not rows:
            return []
        rows = self._converted(table, columns, rows)
        names = ", ".join(columns)
        tail = (
            f" ON CONFLICT DO NOTHING{f' RETURNING {chr(44).join(returning)}' if returning else ''}"
        )
        if self.postgresql:
            stage = self._stage(table, names)
            raw = self.connection.connection.driver_connection
            with raw.cursor().copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            result = self.connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage}{tail}"  # noqa: S608
            )
            return result.fetchall() if returning else []
        one = "(" + ", ".join("?" * len(columns)) + ")"
        added = []
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f"INSERT INTO {table.name} ({names}) VALUES "  # noqa: S608 - names and marks only
                f"{', '.join([one] * len(chunk))}{tail}"
            )
            result = self.connection.exec_driver_sql(sql, tuple(v for row in chunk for v in row))
            if returning:
                added += result.fetchall()
        return added

    def _stage(self, table: Table, names: str) -> str:
        """An empty temporary table with these columns of table, gone at the commit."""
        stage = f"import_{table.name}"
        self.connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        self.connection.exec_driver_sql(f"TRUNCATE {stage}")
        return stage

    def _converted(self, table: Table, columns: Sequence[str], rows: list[tuple]) -> list[tuple]:
        converters = [
            (index, convert)
            for index, name in enumerate(columns)
            if (convert := self._converter(table.c[name].type)) is not None
        ]
        if not converters:
            return rows
        # Column by column: one pass of each converter down its column, zip doing the rest.
        columns_of = list(zip(*rows, strict=True))
        for index, convert in converters:
            columns_of[index] = [None if v is None else convert(v) for v in columns_of[index]]
        return list(zip(*columns_of, strict=True))

    def _converter(self, kind):
        if isinstance(kind, JSON):
            return _json
        if isinstance(kind, UTCDateTime):
            # The dialect's own processor: on SQLite moments are text, and only text written
            # exactly as SQLAlchemy writes it compares right with the rest.
            processor = kind.dialect_impl(self.dialect).bind_processor(self.dialect)
            # The same few moments (now, a consent date) come again and again.
            return lru_cache(maxsize=4096)(processor) if processor else None
        return None


def _json(value) -> str:
    # Text is JSON already (see plan._agreed); anything else is encoded here.
    return value if isinstance(value, str) else json.dumps(value)


def among(column, values: Sequence) -> ColumnElement[bool]:
    """column IN values; on PostgreSQL = ANY(one array), as a batch's thousands of values
    each bound on their own cost more to send and parse than the lookup itself."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)
