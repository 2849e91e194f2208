"""The size cap: a body is refused as soon as its raw or decoded bytes pass it."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from notifier.feeds.fetch.terms import FetchError


def check_declared(declared: str, cap: int) -> None:
    """Refuse a body whose Content-Length is over the cap before reading any of it."""
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"body of {declared} bytes is over the {cap} byte cap")


def decoded(chunks: Iterator[bytes], coding: str, cap: int) -> Iterator[bytes]:
    """Yield the decoded body, failing as soon as raw or decoded bytes pass the cap."""
    if coding in {"", "identity"}:
        decoder = None
    elif coding in {"gzip", "x-gzip", "deflate"}:
        decoder = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, detected from the header
    else:
        raise FetchError(f"unsupported Content-Encoding {coding!r}")
    raw_total = decoded_total = 0
    for chunk in chunks:
        raw_total += len(chunk)
        if raw_total > cap:
            raise FetchError(f"body is over the {cap} byte cap")
        if decoder is None:
            decoded_total = raw_total
            yield chunk
            continue
        data = chunk
        while data:
            try:
                # max_length bounds each step, so a bomb never inflates past the cap in memory.
                out = decoder.decompress(data, cap + 1 - decoded_total)
            except zlib.error as exc:
                raise FetchError(f"cannot decode {coding} body: {exc}") from None
            decoded_total += len(out)
            if decoded_total > cap:
                raise FetchError(f"decoded body is over the {cap} byte cap")
            yield out
            data = decoder.unconsumed_tail
    if decoder is not None and not decoder.eof:
        raise FetchError(f"cannot decode {coding} body: it ends before the compressed stream does")
