"""POST /api/v1/bounces in the OpenAPI document: the relays' webhook, with its own secret."""

from __future__ import annotations

from notifier.web.openapi.parts import AUTH, BODY_ANSWERS, PROBLEM, TEXT, answer

BOUNCE_SCHEMA = {
    "type": "object",
    "required": ["email", "type"],
    "properties": {
        "email": {**TEXT, "format": "email"},
        "type": {"type": "string", "enum": ["hard", "soft", "complaint"]},
        "diagnostic": {"type": "string"},
    },
}

PATHS: dict[str, dict] = {
    "/api/v1/bounces": {
        "post": {
            "summary": (
                "Report bounces and complaints (for relays). Authorization: Bearer "
                "<bounce_webhook_secret>, not an admin token; 404 while that setting is empty"
            ),
            "security": AUTH,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [BOUNCE_SCHEMA, {"type": "array", "items": BOUNCE_SCHEMA}]
                        }
                    },
                    "message/rfc822": {"schema": {"type": "string", "description": "DSN or ARF"}},
                },
            },
            "responses": {
                "200": {"description": "Recorded; hard bounces and complaints suppress"},
                "400": answer("Not a usable bounce, complaint or report; nothing changed", PROBLEM),
                "401": answer("Missing or wrong secret", PROBLEM),
                "404": answer("The webhook is off", PROBLEM),
                **BODY_ANSWERS,
            },
        }
    },
}
