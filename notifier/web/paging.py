"""Cursor pagination for the JSON API: `?cursor=` and `limit`, and the answer's `next`.

Lists run newest first by id and a cursor names the last id given, so each page starts below
it: items added while a client pages have higher ids and never push one onto the next page
twice. The cursor is opaque to clients (base64 of a small JSON object).
"""

from __future__ import annotations

import base64
import binascii
import json

from flask import abort, request

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def page_args() -> tuple[int | None, int]:
    """The id to start below and the page size; 400 (problem details) naming a bad one."""
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        abort(400, description=f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    cursor = request.args.get("cursor", "")
    if not cursor:
        return None, int(raw_limit)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or not 0 < after < 2**63:
        abort(400, description="cursor is not one this API gave: use the `next` of an answer.")
    return after, int(raw_limit)


def answer(items: list[dict], next_after: int | None) -> dict:
    """A page: its items and the cursor of the next page (null on the last)."""
    return {"items": items, "next": encode(next_after) if next_after is not None else None}
