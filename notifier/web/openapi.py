"""GET /api/v1/openapi.json: the API described in one place; add each route's entry here."""

from __future__ import annotations

from flask import Blueprint

from notifier.extensions import limiter

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

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


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict | None = None) -> dict:
    if schema is PROBLEM:
        return {
            "description": description,
            "content": {"application/problem+json": {"schema": schema}},
        }
    return {"description": description, **(_json(schema) if schema else {})}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ROW_ID}


# Any operation that takes a body may answer these.
BODY_ANSWERS = {
    "413": _answer("The body is larger than 256 kB", PROBLEM),
}


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
ANNOUNCEMENT = {
    "type": "object",
    "required": ["subject", "body"],
    "properties": {
        "subject": {**WORDS, "maxLength": 200, "description": "One line."},
        "body": {**WORDS, "description": "Markdown."},
        "strands": {
            **STRANDS,
            "type": ["array", "null"],
            "description": "Strand slugs; empty, null or absent: everyone.",
        },
        "send_at": {
            "type": "string",
            "format": "date-time",
            "description": "When to send (local time if no offset); absent: at once.",
        },
        "draft": {
            "type": "boolean",
            "description": "true: store a draft only (no send_at); preview, then send it.",
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
ANNOUNCEMENT_PREVIEW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "revision": {"type": "integer"},
        "recipients": {"type": "integer"},
        "sample": {"type": ["string", "null"]},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "text": {"type": ["string", "null"]},
        "html": {"type": ["string", "null"]},
    },
}
ANNOUNCEMENT_SEND = {
    "type": "object",
    "required": ["revision"],
    "properties": {
        "revision": {"type": "integer", "description": "The draft version you previewed."},
        "send_at": {"type": "string", "format": "date-time"},
    },
}
ANNOUNCEMENT_ID = [_path_id("announcement_id")]

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

BOUNCE_SCHEMA = {
    "type": "object",
    "required": ["email", "type"],
    "properties": {
        "email": {**TEXT, "format": "email"},
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
            "400": _answer("Not a usable bounce, complaint or report; nothing changed", PROBLEM),
            "401": _answer("Missing or wrong secret", PROBLEM),
            "404": _answer("The webhook is off", PROBLEM),
            **BODY_ANSWERS,
        },
    }
}

AUTH = [{"bearer": []}]
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


def _page(item: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next": {"type": ["string", "null"], "description": "Cursor of the next page."},
        },
    }


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
UNAUTHORISED = _answer("No valid admin API token", ERROR)
ADMIN_PATHS: dict[str, dict] = {
    "/api/v1/strands": {
        "get": {
            "summary": "Every strand, archived ones too, in their listed order",
            "security": AUTH,
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": _answer("The strands", _page(STRAND)),
                "400": _answer("A bad cursor or limit", ERROR),
                "401": UNAUTHORISED,
            },
        },
        "post": {
            "summary": "Add a strand",
            "security": AUTH,
            "requestBody": {"required": True, **_json(NEW_STRAND)},
            "responses": {
                "201": _answer("Added", STRAND),
                **BODY_ANSWERS,
                "400": _answer("The body is not valid; fields names each problem", ERROR),
                "401": UNAUTHORISED,
                "409": _answer("The slug or name is taken", ERROR),
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
            "requestBody": {"required": True, **_json(STRAND)},
            "responses": {
                "200": _answer("The strand as it now stands", STRAND),
                **BODY_ANSWERS,
                "400": _answer("The body is not valid; fields names each problem", ERROR),
                "401": UNAUTHORISED,
                "404": _answer("No such strand", ERROR),
                "409": _answer("The name is taken", ERROR),
            },
        }
    },
    "/api/v1/updates": {
        "get": {
            "summary": "Updates, newest first, with strands and deadline",
            "security": AUTH,
            "parameters": [
                *PAGE_PARAMETERS,
                {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": _answer("A page of updates", _page(UPDATE)),
                "400": _answer("A bad cursor or limit", ERROR),
                "401": UNAUTHORISED,
            },
        }
    },
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
                "200": _answer("A page of subscribers", _page(SUBSCRIBER_SUMMARY)),
                "400": _answer("A bad cursor, limit or status", ERROR),
                "401": UNAUTHORISED,
            },
        }
    },
    "/api/v1/stats": {
        "get": {
            "summary": "Subscribers by status and strand, emails by status in the last 24 hours",
            "security": AUTH,
            "responses": {"200": _answer("The counts", STATS), "401": UNAUTHORISED},
        }
    },
}
SUBSCRIBER_GET = {
    "summary": "One subscriber: status, preferences, consent records, emails sent, bounces",
    "security": AUTH,
    "parameters": [_path_id("subscriber_id")],
    "responses": {
        "200": _answer("The subscriber", SUBSCRIBER),
        "401": UNAUTHORISED,
        "404": _answer("No such subscriber", ERROR),
    },
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
                "429": _answer("Too many requests from this client or for this address", ERROR),
                **BODY_ANSWERS,
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
                **BODY_ANSWERS,
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
    "/api/v1/announcements/{announcement_id}/preview": {
        "get": {
            "summary": "The email as one recipient gets it, and how many people it reaches",
            "security": [{"bearer": []}],
            "parameters": [
                *ANNOUNCEMENT_ID,
                {"name": "sample", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": _answer("The preview", ANNOUNCEMENT_PREVIEW),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such announcement, or sample is not a recipient", ERROR),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}/send": {
        "post": {
            "summary": "Confirm a draft's send, naming the revision checked; sent once",
            "security": [{"bearer": []}],
            "parameters": ANNOUNCEMENT_ID,
            "requestBody": {"required": True, **_json(ANNOUNCEMENT_SEND)},
            "responses": {
                "200": _answer("Confirmed: queued, or scheduled for send_at", ANNOUNCEMENT_CREATED),
                "400": _answer("The body is not valid", ERROR),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such announcement", ERROR),
                "409": _answer("Already confirmed, cancelled, or changed since", ERROR),
                **BODY_ANSWERS,
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
            "parameters": [_path_id("subscriber_id")],
            "responses": {
                "200": _answer("Erased; counts of what was scrubbed"),
                "401": _answer("No valid admin API token", ERROR),
                "403": _answer("The token's admin is an editor: only owners erase", ERROR),
                "404": _answer("No such subscriber", ERROR),
            },
        }
    },
    "/api/v1/updates/{update_id}": {
        "patch": {
            "summary": "Set an update's strands; later polls keep them until set back to null",
            "security": [{"bearer": []}],
            "parameters": [_path_id("update_id")],
            "requestBody": {"required": True, **_json(UPDATE_CHANGE)},
            "responses": {
                "200": _answer("The update as it now stands", UPDATE_CHANGED),
                "400": _answer("The body is not valid, or names no such strand", ERROR),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such update", ERROR),
                **BODY_ANSWERS,
            },
        }
    },
    "/api/v1/updates/{update_id}/deadline": {
        "put": {
            "summary": "Correct an update's comment deadline; later polls never overwrite it",
            "security": [{"bearer": []}],
            "parameters": [_path_id("update_id")],
            "requestBody": {"required": True, **_json(DEADLINE_CHANGE)},
            "responses": {
                "200": _answer("The deadline as it now stands", DEADLINE),
                "400": _answer("The body is not valid", ERROR),
                "401": _answer("No valid admin API token", ERROR),
                "404": _answer("No such update", ERROR),
                **BODY_ANSWERS,
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
        "paths": {
            **PATHS,
            **ADMIN_PATHS,
            "/api/v1/subscribers/{subscriber_id}": {
                **PATHS["/api/v1/subscribers/{subscriber_id}"],
                "get": SUBSCRIBER_GET,
            },
        },
    }


@bp.get("/openapi.json")
@limiter.exempt
def openapi():
    return document()
