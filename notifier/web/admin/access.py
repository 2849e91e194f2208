"""The admin blueprint and who may use it: the login check every admin page starts with."""

from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from notifier.extensions import db
from notifier.models import Admin
from notifier.roles import refusal
from notifier.settings import current_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def login_required(view):
    """Run the view for a signed-in admin (as `g.admin`); send anyone else to the login page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        admin = signed_in_admin()
        if admin is None:
            session.clear()
            return redirect(url_for("admin.login", next=request.path))
        session["admin_seen"] = int(time.time())  # the idle clock starts again
        g.admin = admin
        return view(*args, **kwargs)

    return wrapper


def role_required(action: str):
    """Let only an admin whose role allows `action` through (notifier/roles.py); 403 otherwise.

    Put it under @login_required, which sets g.admin.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if (why := refusal(g.admin, action)) is not None:
                return render_template(
                    "error.html", code=403, title="You cannot do that", message=why
                ), 403
            return view(*args, **kwargs)

        return wrapper

    return decorate


def start_session(admin: Admin) -> None:
    """Make this browser's session the admin's, at the admin's current session version."""
    session.clear()
    session["admin_id"] = admin.id
    session["admin_version"] = admin.session_version
    session["admin_seen"] = int(time.time())


def end_sessions(admin: Admin) -> None:
    """End every session the admin has, in every browser: their cookies stop working."""
    admin.session_version += 1


def signed_in_admin() -> Admin | None:
    """The admin this session belongs to, if it is of their current version and not idle.

    The cookie is signed but cannot be recalled, so what it says is checked against the row:
    a cookie from before a logout or a password change carries an older version.
    """
    admin = db.session.get(Admin, session.get("admin_id") or 0)
    if admin is None or session.get("admin_version") != admin.session_version:
        return None
    idle = time.time() - session.get("admin_seen", 0)
    if idle > current_settings().admin_session_hours * 3600:
        return None
    return admin


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response
