"""RFC 9457 problem details: how the JSON API says what went wrong."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.http import HTTP_STATUS_CODES


def problem(status: int, detail: str, title: str | None = None, **members) -> Response:
    """An application/problem+json answer; extra members (e.g. fields) go alongside.

    ``error`` and ``message`` repeat the title and detail: the names this API answered with
    before it spoke RFC 9457, kept so existing clients keep working.
    """
    title = title or HTTP_STATUS_CODES.get(status, "Error")
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({"error": title, "message": detail, **members})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response
