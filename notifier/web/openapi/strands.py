"""The strand routes in the OpenAPI document: list, add, and change or archive one."""

from __future__ import annotations

from notifier.web.openapi.parts import (
    AUTH,
    BODY_ANSWERS,
    ERROR,
    PAGE_PARAMETERS,
    UNAUTHORISED,
    answer,
    json_body,
    page,
)

STRAND = {
    "type": "object",
    "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000},
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "position": {"type": "integer", "minimum": 0},
        "active": {"type": "boolean", "description": "false: archived (reversible)."},
    },
}
NEW_STRAND = {**STRAND, "required": ["slug", "name"]}

PATHS: dict[str, dict] = {
    "/api/v1/strands": {
        "get": {
            "summary": "Every strand, archived ones too, in their listed order",
            "security": AUTH,
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": answer("The strands", page(STRAND)),
                "400": answer("A bad cursor or limit", ERROR),
                "401": UNAUTHORISED,
            },
        },
        "post": {
            "summary": "Add a strand",
            "security": AUTH,
            "requestBody": {"required": True, **json_body(NEW_STRAND)},
            "responses": {
                "201": answer("Added", STRAND),
                **BODY_ANSWERS,
                "400": answer("The body is not valid; fields names each problem", ERROR),
                "401": UNAUTHORISED,
                "409": answer("The slug or name is taken", ERROR),
            },
        },
    },
    "/api/v1/strands/{slug}": {
        "patch": {
            "summary": "Rename, describe, set keywords, reorder, archive (active: false)",
            "security": AUTH,
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {"required": True, **json_body(STRAND)},
            "responses": {
                "200": answer("The strand as it now stands", STRAND),
                **BODY_ANSWERS,
                "400": answer("The body is not valid; fields names each problem", ERROR),
                "401": UNAUTHORISED,
                "404": answer("No such strand", ERROR),
                "409": answer("The name is taken", ERROR),
            },
        }
    },
}
