"""POST /api/v1/subscriptions: the subscribe form's JSON twin, for embedding on the main site."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from notifier.extensions import csrf, db
from notifier.models import utcnow
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    check_frequency,
    normalise_email,
    pick_strands,
)
from notifier.subscriptions.subscribe import subscribe
from notifier.web.abuse import limited
from notifier.web.visitor import origin

bp = Blueprint("api_subscriptions", __name__, url_prefix="/api/v1")
# A JSON API called cross-site by design: no cookies, so no CSRF; CORS decides who may call.
csrf.exempt(bp)

ACCEPTED = {
    "status": "accepted",
    "message": "If this address can be subscribed, we have sent it an email. "
    "Check your inbox to confirm.",
}


@bp.post("/subscriptions")
@limited
def create_subscription():
    """Answer 202 with the same body whatever the address's state; 400 names bad fields."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return {"error": "Bad Request", "message": "Send a JSON object."}, 400
    errors: dict[str, str] = {}
    email = _field(errors, "email", lambda: normalise_email(_typed(body, "email", str, "")))
    frequency = _field(
        errors, "frequency", lambda: check_frequency(_typed(body, "frequency", str, "daily"))
    )
    reminders = _field(errors, "reminders", lambda: _typed(body, "reminders", bool, True))
    strands = _field(errors, "strands", lambda: pick_strands(_slugs(body.get("strands"))))
    if errors:
        return {"error": "Bad Request", "message": "Some fields are wrong.", "fields": errors}, 400
    subscribe(email, Choices.same(strands, frequency, reminders), origin("api"), utcnow())
    db.session.commit()
    return ACCEPTED, 202


@bp.after_request
def _cors(response):
    """Allow the configured origins, and only those, to call this API from a browser."""
    allowed = request.headers.get("Origin")
    if allowed and allowed in current_app.config["NOTIFIER"].cors_origins:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "3600"
    response.headers.add("Vary", "Origin")
    return response


def _field(errors: dict[str, str], name: str, read):
    try:
        return read()
    except InvalidChoice as exc:
        errors[name] = exc.message
        return None


def _typed(body: dict, name: str, kind: type, default=None):
    value = body.get(name, default)
    if not isinstance(value, kind):
        raise InvalidChoice(name, f"{name} must be {_KINDS[kind]}")
    return value


def _slugs(value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
        raise InvalidChoice("strands", "strands must be a list of strand slugs")
    return value


_KINDS = {str: "a string", bool: "true or false"}
