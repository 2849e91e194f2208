"""What a fetch is held to (its limits), what it brings back, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field

OUT_OF_TIME = "still fetching when the poll's time budget ran out"


class FetchError(Exception):
    """The feed could not be fetched; the message says why in one line."""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    deadline: float
    max_bytes: int

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            float(settings.feed_connect_timeout),
            float(settings.feed_read_timeout),
            float(settings.feed_deadline),
            int(settings.feed_max_bytes),
        )


@dataclass
class Fetched:
    """What a fetch brought back: new bytes, or word that nothing changed since last time."""

    not_modified: bool
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    # Where a chain of permanent redirects says the feed now lives, if it moved.
    moved_to: str | None = None
