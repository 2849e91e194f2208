"""The first pass: read a CSV as a stream, check every row, keep the good ones in a spool."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Erasure
from notifier.subscriptions.choices import InvalidChoice
from notifier.subscriptions.csv_columns import COLUMNS, EXPORT_COLUMNS
from notifier.subscriptions.erase import REFUSAL, address_hashes
from notifier.subscriptions.imports.bulk import among
from notifier.subscriptions.imports.row import Memo, Row, read_row
from notifier.subscriptions.imports.spool import Spool
from notifier.subscriptions.imports.strands import strand_refs

BATCH = 1000
BOM = b"\xef\xbb\xbf"


class BadImport(Exception):
    """The file cannot be imported; lines holds one message per bad line, in file order."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def check(
    data: Iterable[bytes], now: datetime, progress: Callable[[int], None] | None = None
) -> Spool:
    """Check every row of a CSV file's lines (bytes, as a binary file gives them).

    Return the rows in a Spool, or raise BadImport naming every bad line and why; nothing in
    the database changes either way. progress, if given, is told how many rows have been
    read so far, a batch at a time.
    """
    spool, refusals = check_all(data, now, progress)
    if refusals:
        spool.close()
        raise BadImport(refusals)
    return spool


def check_all(
    data: Iterable[bytes], now: datetime, progress: Callable[[int], None] | None = None
) -> tuple[Spool, list[str]]:
    """check(), keeping the good rows of a file that has bad ones too, for a preview.

    Return the spool (the caller closes it) and every refusal, in line order.
    """
    spool = Spool()
    try:
        errors = _check_into(spool, data, now, progress or (lambda _rows: None))
    except BaseException:
        spool.close()
        raise
    errors.sort(key=lambda error: error[0])
    if not errors and not spool.count:
        errors = [(1, "the file has no subscriber rows")]
    return spool, [message for _, message in errors]


def _check_into(spool: Spool, data: Iterable[bytes], now: datetime, progress) -> list:
    errors: list[tuple[int, str]] = []
    reader = csv.DictReader(_text_lines(data, errors))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        return [(1, f"line 1: cannot be read as CSV ({exc})")]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in EXPORT_COLUMNS]
    if missing or unknown:
        problems = [f"missing column {name!r}" for name in missing]
        problems += [f"unknown column {name!r}" for name in unknown]
        return [(1, f"line 1: {', '.join(problems)} (expected {','.join(COLUMNS)})")]
    strands = {strand.slug: strand for strand in strand_refs(active_only=True)}
    memo = Memo(now, strands)
    batch: dict[str, Row] = {}
    read = 0
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            # The reader cannot go on past a line it cannot split: report it and stop.
            errors.append(
                (reader.line_num, f"line {reader.line_num}: cannot be read as CSV ({exc})")
            )
            record = None
        if record is not None:
            read += 1
            line = reader.line_num
            try:
                row = read_row(line, record, now, strands, memo)
            except InvalidChoice as exc:
                errors.append((line, f"line {line}: {exc.field}: {exc.message}"))
            else:
                if row.email in batch:
                    errors.append((line, _twice(row, batch[row.email].line)))
                else:
                    batch[row.email] = row
        if batch and (len(batch) == BATCH or record is None):
            errors += _keep(spool, list(batch.values()))
            batch = {}
            progress(read)
        if record is None:
            return errors


def _text_lines(data: Iterable[bytes], errors: list) -> Iterator[str]:
    """Decode line by line, so a byte that is not UTF-8 is reported on its own line."""
    for number, raw in enumerate(data, start=1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(
                (number, f"line {number}: is not UTF-8 text (save the file as CSV UTF-8)")
            )
            yield raw.decode("utf-8", errors="replace")


def _keep(spool: Spool, rows: list[Row]) -> list[tuple[int, str]]:
    """Spool the rows whose address no earlier line had and no owner erased; say why not."""
    emails = [row.email for row in rows]
    earlier = spool.lines_of(emails)
    erased = _erased(emails)
    spool.add([row for row in rows if row.email not in earlier and row.email not in erased])
    refused = [(row.line, _twice(row, earlier[row.email])) for row in rows if row.email in earlier]
    refused += [
        (row.line, f"line {row.line}: email: {row.email} {REFUSAL}")
        for row in rows
        if row.email in erased
    ]
    return refused


def _erased(emails: list[str]) -> set[str]:
    """The addresses among these whose owners erased them: one lookup of their keyed hashes."""
    hashes = address_hashes(emails)
    found = db.session.scalars(
        select(Erasure.address_hash).where(among(Erasure.address_hash, hashes))
    )
    return {hashes[value] for value in found}


def _twice(row: Row, first: int) -> str:
    return f"line {row.line}: email: {row.email} is also on line {first}"
