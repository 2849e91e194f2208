"""The admin blueprint and who may use it: the login check every admin page starts with."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, redirect, request, session, url_for

from notifier.extensions import db
from notifier.models import Admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


def login_required(view):
    """Run the view for a signed-in admin (as `g.admin`); send anyone else to the login page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        admin = db.session.get(Admin, session.get("admin_id") or 0)
        if admin is None:
            return redirect(url_for("admin.login", next=request.path))
        g.admin = admin
        return view(*args, **kwargs)

    return wrapper


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response
