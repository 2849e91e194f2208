"""POST /api/v1/subscriptions in the OpenAPI document: one strands choice, or one per strand."""

from __future__ import annotations

from notifier.web.openapi.parts import BODY_ANSWERS, ERROR, STRANDS, TEXT, answer, json_body

FREQUENCY = {"type": "string", "enum": ["immediate", "daily", "weekly"]}
PREFERENCE = {
    "type": "object",
    "required": ["strand"],
    "properties": {
        "strand": {**TEXT, "description": "A strand slug; each strand at most once."},
        "frequency": {**FREQUENCY, "description": "Absent: the plain frequency, else daily."},
        "reminders": {"type": "boolean", "description": "Absent: the plain reminders, else true."},
    },
}
SUBSCRIPTION = {
    "type": "object",
    "required": ["email"],
    # One of the two ways to choose, never both: the server refuses neither and both.
    "oneOf": [{"required": ["strands"]}, {"required": ["preferences"]}],
    "description": (
        "Either strands with one frequency and reminders choice for them all, or preferences "
        "with a choice per strand (not both). A 400 names each wrong field, for example "
        "preferences[1].strand for an unknown strand or one given twice."
    ),
    "properties": {
        "email": {**TEXT, "format": "email"},
        "strands": {**STRANDS, "minItems": 1},
        "frequency": {**FREQUENCY, "description": "For every strand; default daily."},
        "reminders": {"type": "boolean", "description": "For every strand; default true."},
        "preferences": {"type": "array", "minItems": 1, "items": PREFERENCE},
    },
}

PATHS: dict[str, dict] = {
    "/api/v1/subscriptions": {
        "post": {
            "summary": "Subscribe an address (double opt-in: a confirmation email is sent)",
            "security": [],
            "requestBody": {"required": True, **json_body(SUBSCRIPTION)},
            "responses": {
                "202": answer("Accepted; the same answer whether or not the address is known"),
                "400": answer("The body is not valid", ERROR),
                "429": answer("Too many requests from this client or for this address", ERROR),
                **BODY_ANSWERS,
            },
        }
    },
}
