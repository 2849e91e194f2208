"""Bearer-token authentication for the admin API."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request

from notifier.admins import live_token
from notifier.extensions import db
from notifier.models import utcnow


def require_api_admin(view):
    """Let the view run only for a valid `Authorization: Bearer TOKEN`; 401 otherwise."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        row = live_token(token.strip()) if scheme.lower() == "bearer" else None
        if row is None:
            abort(401, description="Send an admin API token as 'Authorization: Bearer TOKEN'.")
        g.admin = row.admin
        row.last_used_at = utcnow()
        db.session.commit()
        return view(*args, **kwargs)

    return wrapper
