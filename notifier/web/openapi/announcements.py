"""The announcement routes in the OpenAPI document: create, read, preview, send, cancel."""

from __future__ import annotations

from notifier.web.openapi.parts import (
    AUTH,
    BODY_ANSWERS,
    ERROR,
    STRANDS,
    UNAUTHORISED,
    WORDS,
    answer,
    json_body,
    path_id,
)

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
ANNOUNCEMENT_ID = [path_id("announcement_id")]

PATHS: dict[str, dict] = {
    "/api/v1/announcements": {
        "post": {
            "summary": "Create an announcement, sent at once or at send_at",
            "security": AUTH,
            "requestBody": {"required": True, **json_body(ANNOUNCEMENT)},
            "responses": {
                "201": answer("Created", ANNOUNCEMENT_CREATED),
                "400": answer("The body is not valid; fields names each problem", ERROR),
                "401": UNAUTHORISED,
                **BODY_ANSWERS,
            },
        }
    },
    "/api/v1/announcements/{announcement_id}": {
        "get": {
            "summary": "An announcement's state and what became of its emails",
            "security": AUTH,
            "parameters": ANNOUNCEMENT_ID,
            "responses": {
                "200": answer("The announcement", ANNOUNCEMENT_CREATED),
                "401": UNAUTHORISED,
                "404": answer("No such announcement", ERROR),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}/preview": {
        "get": {
            "summary": "The email as one recipient gets it, and how many people it reaches",
            "security": AUTH,
            "parameters": [
                *ANNOUNCEMENT_ID,
                {"name": "sample", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": answer("The preview", ANNOUNCEMENT_PREVIEW),
                "401": UNAUTHORISED,
                "404": answer("No such announcement, or sample is not a recipient", ERROR),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}/send": {
        "post": {
            "summary": "Confirm a draft's send, naming the revision checked; sent once",
            "security": AUTH,
            "parameters": ANNOUNCEMENT_ID,
            "requestBody": {"required": True, **json_body(ANNOUNCEMENT_SEND)},
            "responses": {
                "200": answer("Confirmed: queued, or scheduled for send_at", ANNOUNCEMENT_CREATED),
                "400": answer("The body is not valid", ERROR),
                "401": UNAUTHORISED,
                "404": answer("No such announcement", ERROR),
                "409": answer("Already confirmed, cancelled, or changed since", ERROR),
                **BODY_ANSWERS,
            },
        }
    },
    "/api/v1/announcements/{announcement_id}/cancel": {
        "post": {
            "summary": "Cancel a scheduled announcement, until its sending starts",
            "security": AUTH,
            "parameters": ANNOUNCEMENT_ID,
            "responses": {
                "200": answer("Cancelled", ANNOUNCEMENT_CREATED),
                "401": UNAUTHORISED,
                "404": answer("No such announcement", ERROR),
                "409": answer("Its sending has started, or it was cancelled already", ERROR),
            },
        }
    },
}
