"""A progress bar on standard error, for commands that work through a long file."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class Progress:
    """Draw `label [#####.....] done/total rows` as work goes on.

    On a terminal the bar is redrawn in place, at most ten times a second; elsewhere (asked
    for with an option, say into a log) it is a line at each tenth, so a log stays short.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None):
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._drawn_at = 0.0
        self._tenth = -1

    def __call__(self, done: int) -> None:
        done = min(done, self.total)
        if self.live:
            now = time.monotonic()
            if now - self._drawn_at < 0.1 and done < self.total:
                return
            self._drawn_at = now
            self.stream.write("\r" + self._bar(done))
        else:
            tenth = done * 10 // self.total
            if tenth == self._tenth:
                return
            self._tenth = tenth
            self.stream.write(self._bar(done) + "\n")
        self.stream.flush()

    def finish(self, done: int) -> None:
        """Draw the last state (the total may have been an estimate) and end the line."""
        self.total = max(done, 1)
        self(done)
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def end(self) -> None:
        """End the bar's line where it stands (the work stopped), so what follows starts clean."""
        if self.live and self._drawn_at:
            self.stream.write("\n")
            self.stream.flush()

    def _bar(self, done: int) -> str:
        filled = WIDTH * done // self.total
        return f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done:,}/{self.total:,} rows"


def count_lines(path) -> int:
    """The file's lines, counted fast in binary: the rows to expect, give or take quoted ones."""
    lines = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines
