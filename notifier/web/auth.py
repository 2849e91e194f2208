"""Bearer-token authentication for the admin API."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from sqlalchemy import update

from notifier.admins import live_token
from notifier.extensions import db
from notifier.models import ApiToken, utcnow
from notifier.web.intake import authenticated_by


def require_api_admin(view):
    """Let the view run only for a valid `Authorization: Bearer TOKEN`; 401 otherwise.

    The token is checked at the door (web/intake.authenticated_by), before any body is read:
    a caller without one never has its JSON parsed.

    The view commits its own work (docs/adr/0016); the token's use is recorded after it, in a
    transaction of its own, so what the view left uncommitted is never committed by us.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        row = _bearer()
        g.admin = row.admin
        token_id = row.id
        response = view(*args, **kwargs)
        db.session.rollback()
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
        )
        db.session.commit()
        return response

    return authenticated_by(_bearer)(wrapper)


def _bearer():
    """The live token this request carries (looked up once per request), or a 401."""
    if "api_token" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        g.api_token = live_token(token.strip()) if scheme.lower() == "bearer" else None
    if g.api_token is None:
        abort(401, description="Send an admin API token as 'Authorization: Bearer TOKEN'.")
    return g.api_token
