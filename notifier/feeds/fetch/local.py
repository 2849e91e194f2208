"""A feed read from a local file, under the same size cap as one fetched over HTTP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from notifier.feeds.fetch.terms import Fetched, FetchError, Limits


def fetch_file(url: str, etag: str | None, limits: Limits) -> Fetched:
    """Read a local feed with the same cap; its size and mtime stand in for an ETag."""
    path = Path(url2pathname(urlsplit(url).path))
    try:
        stat = path.stat()
        tag = f'"file-{stat.st_mtime_ns}-{stat.st_size}"'
        if etag == tag:
            return Fetched(True)
        with path.open("rb") as fh:
            body = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    if len(body) > limits.max_bytes:
        raise FetchError(f"file is over the {limits.max_bytes} byte cap")
    return Fetched(False, body=body, etag=tag)
