"""The pieces every part of the OpenAPI document is built from: errors, ids, bodies, pages."""

from __future__ import annotations

# RFC 9457 problem details, as every API error is written (notifier.web.problems); error
# and message repeat title and detail for older clients; fields names each wrong field.
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "error": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
ERROR = PROBLEM
TEXT = {"type": "string", "minLength": 1}  # the server refuses an empty string
WORDS = {**TEXT, "pattern": r"\S"}  # ... and one of spaces only
ROW_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # an INTEGER id column
STRANDS = {
    "type": "array",
    "items": TEXT,
    "description": "Strand slugs, e.g. research-statistics, fraud-error-debt.",
}


def json_body(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: dict | None = None) -> dict:
    if schema is PROBLEM:
        return {
            "description": description,
            "content": {"application/problem+json": {"schema": schema}},
        }
    return {"description": description, **(json_body(schema) if schema else {})}


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ROW_ID}


# Any operation that takes a body may answer these.
BODY_ANSWERS = {
    "413": answer("The body is larger than 256 kB", PROBLEM),
}

AUTH = [{"bearer": []}]
UNAUTHORISED = answer("No valid admin API token", ERROR)

PAGE_PARAMETERS = [
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The `next` of the previous page; absent: the first page.",
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
]


def page(item: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next": {"type": ["string", "null"], "description": "Cursor of the next page."},
        },
    }
