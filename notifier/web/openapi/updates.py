"""The update routes in the OpenAPI document: list, set strands, correct a deadline."""

from __future__ import annotations

from notifier.web.openapi.parts import (
    AUTH,
    BODY_ANSWERS,
    ERROR,
    PAGE_PARAMETERS,
    STRANDS,
    UNAUTHORISED,
    answer,
    json_body,
    page,
    path_id,
)

UPDATE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "guid": {"type": "string"},
        "title": {"type": "string"},
        "link": {"type": ["string", "null"]},
        "strands": STRANDS,
        "published": {"type": ["string", "null"], "format": "date-time"},
        "deadline": {"type": ["string", "null"], "format": "date-time"},
        "deadline_sentence": {"type": ["string", "null"]},
        "deadline_source": {"type": ["string", "null"], "enum": ["parsed", "admin", None]},
        "weekday_mismatch": {"type": "boolean"},
        "updated": {"type": "boolean"},
    },
}
UPDATE_CHANGE = {
    "type": "object",
    "required": ["strands"],
    "properties": {
        "strands": {
            **STRANDS,
            "type": ["array", "null"],
            "description": "Strand slugs chosen by hand ([]: a general update, sent to everyone);"
            " null: the service chooses from the title and categories again.",
        }
    },
}
UPDATE_CHANGED = {
    "type": "object",
    "properties": {
        **UPDATE["properties"],
        "strands_set_by": {"type": ["string", "null"], "description": "Who chose the strands."},
    },
}
DEADLINE_CHANGE = {
    "type": "object",
    "required": ["deadline"],
    "properties": {
        "deadline": {
            "type": ["string", "null"],
            "minLength": 1,
            "format": "date-time",
            "description": "Corrected deadline (local time if no offset); null: no deadline.",
        }
    },
}
DEADLINE = {
    "type": "object",
    "properties": {
        "update_id": {"type": "integer"},
        "deadline": {"type": ["string", "null"], "format": "date-time"},
        "previous": {"type": ["string", "null"], "format": "date-time"},
        "source": {"type": "string", "enum": ["parsed", "admin"]},
        "version": {"type": "integer"},
        "cancelled": {"type": "boolean"},
    },
}
UPDATE_ID = [path_id("update_id")]

PATHS: dict[str, dict] = {
    "/api/v1/updates": {
        "get": {
            "summary": "Updates, newest first, with strands and deadline",
            "security": AUTH,
            "parameters": [
                *PAGE_PARAMETERS,
                {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": answer("A page of updates", page(UPDATE)),
                "400": answer("A bad cursor or limit", ERROR),
                "401": UNAUTHORISED,
            },
        }
    },
    "/api/v1/updates/{update_id}": {
        "patch": {
            "summary": "Set an update's strands; later polls keep them until set back to null",
            "security": AUTH,
            "parameters": UPDATE_ID,
            "requestBody": {"required": True, **json_body(UPDATE_CHANGE)},
            "responses": {
                "200": answer("The update as it now stands", UPDATE_CHANGED),
                "400": answer("The body is not valid, or names no such strand", ERROR),
                "401": UNAUTHORISED,
                "404": answer("No such update", ERROR),
                **BODY_ANSWERS,
            },
        }
    },
    "/api/v1/updates/{update_id}/deadline": {
        "put": {
            "summary": "Correct an update's comment deadline; later polls never overwrite it",
            "security": AUTH,
            "parameters": UPDATE_ID,
            "requestBody": {"required": True, **json_body(DEADLINE_CHANGE)},
            "responses": {
                "200": answer("The deadline as it now stands", DEADLINE),
                "400": answer("The body is not valid", ERROR),
                "401": UNAUTHORISED,
                "404": answer("No such update", ERROR),
                **BODY_ANSWERS,
            },
        }
    },
}
