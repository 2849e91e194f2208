"""The subscriber routes in the OpenAPI document: find, read, erase, and the counts."""

from __future__ import annotations

from notifier.web.openapi.parts import (
    AUTH,
    ERROR,
    PAGE_PARAMETERS,
    STRANDS,
    UNAUTHORISED,
    answer,
    page,
    path_id,
)

SUBSCRIBER_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "status": {"type": "string"},
        "strands": STRANDS,
        "confirmed_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
SUBSCRIBER = {
    "type": "object",
    "description": "The subscriber's own data (docs/privacy.md) with their id.",
    "properties": {
        "id": {"type": "integer"},
        "address": {"type": "string"},
        "status": {"type": "string"},
        "preferences": {"type": "array", "items": {"type": "object"}},
        "consent_records": {"type": "array", "items": {"type": "object"}},
        "emails": {"type": "array", "items": {"type": "object"}},
        "bounces": {"type": "array", "items": {"type": "object"}},
    },
}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
STATS = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "subscribers": COUNTS,
        "subscribers_by_strand": {"type": "object", "additionalProperties": COUNTS},
        "emails_last_24h": COUNTS,
    },
}
SUBSCRIBER_ID = [path_id("subscriber_id")]

PATHS: dict[str, dict] = {
    "/api/v1/subscribers": {
        "get": {
            "summary": "Find subscribers: by exact email, or q (part of one), strand, status",
            "security": AUTH,
            "parameters": [
                *PAGE_PARAMETERS,
                *(
                    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                    for name in ("email", "q", "strand")
                ),
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "schema": {
                        "type": "string",
                        "enum": ["pending", "confirmed", "unsubscribed", "suppressed"],
                    },
                },
            ],
            "responses": {
                "200": answer("A page of subscribers", page(SUBSCRIBER_SUMMARY)),
                "400": answer("A bad cursor, limit or status", ERROR),
                "401": UNAUTHORISED,
            },
        }
    },
    "/api/v1/subscribers/{subscriber_id}": {
        "delete": {
            "summary": (
                "Erase a subscriber as their own erase does: their data goes, a keyed hash of "
                "the address stays so an import cannot add it back"
            ),
            "security": AUTH,
            "parameters": SUBSCRIBER_ID,
            "responses": {
                "200": answer("Erased; counts of what was scrubbed"),
                "401": UNAUTHORISED,
                "403": answer("The token's admin is an editor: only owners erase", ERROR),
                "404": answer("No such subscriber", ERROR),
            },
        },
        "get": {
            "summary": "One subscriber: status, preferences, consent records, emails sent, bounces",
            "security": AUTH,
            "parameters": SUBSCRIBER_ID,
            "responses": {
                "200": answer("The subscriber", SUBSCRIBER),
                "401": UNAUTHORISED,
                "404": answer("No such subscriber", ERROR),
            },
        },
    },
    "/api/v1/stats": {
        "get": {
            "summary": "Subscribers by status and strand, emails by status in the last 24 hours",
            "security": AUTH,
            "responses": {"200": answer("The counts", STATS), "401": UNAUTHORISED},
        }
    },
}
