"""GET /api/v1/openapi.json: the API described in one place; add each route's entry here."""

from __future__ import annotations

from flask import Blueprint

from notifier.extensions import limiter

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
STRANDS = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Strand slugs, e.g. research-statistics, fraud-error-debt.",
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict | None = None) -> dict:
    return {"description": description, **(_json(schema) if schema else {})}


FREQUENCY = {"type": "string", "enum": ["immediate", "daily", "weekly"]}
PREFERENCE = {
    "type": "object",
    "required": ["strand"],
    "properties": {
        "strand": {"type": "string", "description": "A strand slug; each strand at most once."},
        "frequency": {**FREQUENCY, "description": "Absent: the plain frequency, else daily."},
        "reminders": {"type": "boolean", "description": "Absent: the plain reminders, else true."},
    },
}
SUBSCRIPTION = {
    "type": "object",
    "required": ["email"],
    "description": (
        "Either strands with one frequency and reminders choice for them all, or preferences "
        "with a choice per strand (not both). A 400 names each wrong field, for example "
        "preferences[1].strand for an unknown strand or one given twice."
    ),
    "properties": {
        "email": {"type": "string", "format": "email"},
        "strands": STRANDS,
        "frequency": {**FREQUENCY, "description": "For every strand; default daily."},
        "reminders": {"type": "boolean", "description": "For every strand; default true."},
        "preferences": {"type": "array", "minItems": 1, "items": PREFERENCE},
    },
}
ANNOUNCEMENT = {
    "type": "object",
    "required": ["subject", "body"],
    "properties": {
        "subject": {"type": "string", "maxLength": 200, "description": "One line."},
        "body": {"type": "string", "description": "Markdown."},
        "strands": {**STRANDS, "description": "Strand slugs; empty or absent: everyone."},
        "send_at": {
            "type": "string",
            "format": "date-time",
            "description": "When to send (local time if no offset); absent: at once.",
        },
    },
}
ANNOUNCEMENT_CREATED = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["draft", "scheduled", "sending", "queued", "cancelled"],
        },
        "send_at": {"type": "string", "format": "date-time"},
        "strands": STRANDS,
        "confirmed_by": {"type": ["string", "null"]},
        "emails_queued": {"type": "integer"},
        **{
            name: {"type": "integer", "description": f"Its emails {name} so far."}
            for name in ("queued", "sent", "failed", "cancelled", "bounced")
        },
    },
}
ANNOUNCEMENT_ID = [
    {"name": "announcement_id", "in": "path", "required": True, "schema": {"type": "integer"}}
]

DEADLINE_CHANGE = {
    "type": "object",
    "required": ["deadline"],
    "properties": {
        "deadline": {
            "type": ["string", "null"],
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

BOUNCE_SCHEMA = {
    "type": "object",
    "required": ["email", "type"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "type": {"type": "string", "enum": ["hard", "soft", "complaint"]},
        "diagnostic": {"type": "string"},
    },
}
BOUNCES = {
    "post": {
        "summary": (
            "Report bounces and complaints (for relays). Authorization: Bearer "
            "<bounce_webhook_secret>, not an admin token; 404 while that setting is empty"
        ),
        "security": [{"bearer": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [BOUNCE_SCHEMA, {"type": "array", "items": BOUNCE_SCHEMA}]}
                },
                "message/rfc822": {"schema": {"type": "string", "description": "DSN or ARF"}},
            },
        },
        "responses": {
            "200": {"description": "Recorded; hard bounces and complaints suppress"},
            "400": {"description": "Not a usable bounce, complaint or report; nothing changed"},
            "401": {"description": "Missing or wrong secret"},
            "404": {"description": "The webhook is off"},
        },
    }
}

# The paths of the API. A new route adds its entry here, nowhere else.
PATHS: dict[str, dict] = {
    "/api/v1/subscriptions": {
        "post": {
            "summary": "Subscribe an address (double opt-in: a confirmation email is sent)",
            "security": [],
            "requestBody": {"required": True, **_json(SUBSCRIPTION)},
            "responses": {
                "202": _answer("Accepted; the same answer whether or not the address is known"),
                "400": _answer("The body is not valid", ERROR),
            },
        }
    },
    "/api/v1/announcements": {
        "post": {
            "summary": "Create an announcement, sent at once or at send_at",
            "security": [{"bearer": []}],
            "requestBody": {"required": True, **_json(ANNOUNCEMENT)},
            "responses": {
                "201": _answer("Created", ANNOUNCEMENT_CREATED),
                "400": _answer("The body is not valid; fields names each problem", ERROR),
                "401": _answer("No valid admin API token", ERROR),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}": {
        "get": {
            "summary": "An announcement's state and what became of its emails",
            "security": [{"bearer": []}],
            "parameters": ANNOUNCEMENT_ID,
            "responses": {
                "200": _answer("The announcement", ANNOUNCEMENT_CREATED),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such announcement", ERROR),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}/cancel": {
        "post": {
            "summary": "Cancel a scheduled announcement, until its sending starts",
            "security": [{"bearer": []}],
            "parameters": ANNOUNCEMENT_ID,
            "responses": {
                "200": _answer("Cancelled", ANNOUNCEMENT_CREATED),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such announcement", ERROR),
                "409": _answer("Its sending has started, or it was cancelled already", ERROR),
            },
        }
    },
    "/api/v1/bounces": BOUNCES,
    "/api/v1/subscribers/{subscriber_id}": {
        "delete": {
            "summary": (
                "Erase a subscriber as their own erase does: their data goes, a keyed hash of "
                "the address stays so an import cannot add it back"
            ),
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "subscriber_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": _answer("Erased; counts of what was scrubbed"),
                "401": _answer("No valid admin API token", ERROR),
                "403": _answer("The token's admin is an editor: only owners erase", ERROR),
                "404": _answer("No such subscriber", ERROR),
            },
        }
    },
    "/api/v1/updates/{update_id}/deadline": {
        "put": {
            "summary": "Correct an update's comment deadline; later polls never overwrite it",
            "security": [{"bearer": []}],
            "parameters": [
                {"name": "update_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "requestBody": {"required": True, **_json(DEADLINE_CHANGE)},
            "responses": {
                "200": _answer("The deadline as it now stands", DEADLINE),
                "400": _answer("The body is not valid", ERROR),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such update", ERROR),
            },
        }
    },
}


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
        "paths": PATHS,
    }


@bp.get("/openapi.json")
@limiter.exempt
def openapi():
    return document()
