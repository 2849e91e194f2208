"""GET /api/v1/openapi.json: the API described in one place.

A new route adds its entry to the PATHS of its resource's module in this package (a new
resource adds a module and names it in RESOURCES); parts.py holds the shared pieces.
"""

from __future__ import annotations

from flask import Blueprint

from notifier.extensions import limiter
from notifier.web.openapi import (
    announcements,
    bounces,
    strands,
    subscribers,
    subscriptions,
    updates,
)

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

# Each module describes its own paths; a path belongs to one module only, since a second
# entry would replace the first here (tests/test_api_document.py would then miss a route).
RESOURCES = (subscriptions, announcements, bounces, subscribers, updates, strands)


def document() -> dict:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "notifier API", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin API token from `notifier admin token EMAIL`.",
                }
            }
        },
        "paths": {path: entry for part in RESOURCES for path, entry in part.PATHS.items()},
    }


@bp.get("/openapi.json")
@limiter.exempt
def openapi():
    return document()
