"""POST /api/v1/subscriptions: the subscribe form's JSON twin, for embedding on the main site."""

from __future__ import annotations

from flask import Blueprint, request

from notifier.extensions import csrf, db
from notifier.models import utcnow
from notifier.models.people import FREQUENCIES
from notifier.settings import current_settings
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    Preference,
    active_strands,
    check_frequency,
    pick_strands,
)
from notifier.subscriptions.email_address import normalise_email
from notifier.subscriptions.subscribe import subscribe
from notifier.web.abuse import limit_writes, spend_address
from notifier.web.problems import problem
from notifier.web.visitor import origin

bp = Blueprint("api_subscriptions", __name__, url_prefix="/api/v1")
limit_writes(bp)
# A JSON API called cross-site by design: no cookies, so no CSRF; CORS decides who may call.
csrf.exempt(bp)

ACCEPTED = {
    "status": "accepted",
    "message": "If this address can be subscribed, we have sent it an email. "
    "Check your inbox to confirm.",
}


@bp.post("/subscriptions")
def create_subscription():
    """Answer 202 with the same body whatever the address's state; 400 names bad fields.

    Either {email, strands, frequency, reminders}, one choice for all the strands, or
    {email, preferences: [{strand, frequency, reminders}, ...]}, a choice per strand; in the
    second, a plain frequency / reminders fills in for an entry that leaves one out.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Send a JSON object.")
    spend_address(body.get("email"))
    errors: dict[str, str] = {}
    email = _field(errors, "email", lambda: normalise_email(_typed(body, "email", str, "")))
    frequency = _field(
        errors, "frequency", lambda: check_frequency(_typed(body, "frequency", str, "daily"))
    )
    reminders = _field(errors, "reminders", lambda: _typed(body, "reminders", bool, True))
    if "preferences" in body:
        if "strands" in body:
            errors["strands"] = "Give strands or preferences, not both"
        choices = _preferences(errors, body["preferences"], frequency, reminders)
    else:
        strands = _field(errors, "strands", lambda: pick_strands(_slugs(body.get("strands"))))
        choices = None if errors else Choices.same(strands, frequency, reminders)
    if errors:
        return problem(400, "Some fields are wrong.", fields=errors)
    subscribe(email, choices, origin("api"), utcnow())
    db.session.commit()
    return ACCEPTED, 202


def _preferences(errors: dict[str, str], value, frequency, reminders) -> Choices | None:
    """Read [{strand, frequency, reminders}, ...]; put each problem under its field's path."""
    if not isinstance(value, list) or not value:
        errors["preferences"] = "preferences must be a list of {strand, frequency, reminders}"
        return None
    by_slug = {strand.slug: strand for strand in active_strands()}
    chosen: dict[str, Preference] = {}
    for index, entry in enumerate(value):
        at = f"preferences[{index}]"
        if not isinstance(entry, dict):
            errors[at] = "must be an object with strand, frequency and reminders"
            continue
        slug = entry.get("strand")
        if not isinstance(slug, str):
            # Not a slug at all ({} or [] would not even be a dictionary key below).
            errors[f"{at}.strand"] = "strand must be a strand slug"
            slug = None
        elif slug not in by_slug:
            errors[f"{at}.strand"] = f"{slug!r} is not a strand: use a slug from the list"
        elif slug in chosen:
            errors[f"{at}.strand"] = f"{slug} is given twice"
        own = entry.get("frequency", frequency or "daily")
        if own not in FREQUENCIES:
            errors[f"{at}.frequency"] = "frequency must be immediate, daily or weekly"
            own = None
        wants = entry.get("reminders", True if reminders is None else reminders)
        if not isinstance(wants, bool):
            errors[f"{at}.reminders"] = "reminders must be true or false"
        if slug in by_slug and slug not in chosen and own is not None:
            chosen[slug] = Preference(by_slug[slug], own, wants)
    if errors:
        return None
    order = list(by_slug)
    return Choices(tuple(sorted(chosen.values(), key=lambda p: order.index(p.strand.slug))))


@bp.after_request
def _cors(response):
    """Allow the configured origins, and only those, to call this API from a browser."""
    allowed = request.headers.get("Origin")
    if allowed and allowed in current_settings().cors_origins:
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
