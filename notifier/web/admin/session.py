"""Signing in and out of the admin pages."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from notifier.admins import find_admin
from notifier.extensions import db
from notifier.models import AuditEntry, utcnow
from notifier.web.abuse import limit_per_ip
from notifier.web.admin.access import bp, end_sessions, signed_in_admin, start_session
from notifier.web.intake import form_shows_nul
from notifier.web.page_form import PageForm

# Compared against when the address is unknown, so a wrong address costs as long as a wrong
# password and timing does not reveal which admins exist.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummysa$" + "0" * 128


class LoginForm(PageForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


@bp.route("/login", methods=["GET", "POST"])
@form_shows_nul
@limit_per_ip("10 per minute")  # checked before CSRF reads the form (docs/adr/0012)
def login():
    """Log an admin in; one message for any wrong address or password."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        admin = find_admin(form.email.data)
        valid = check_password_hash(
            admin.password_hash if admin else _DUMMY_HASH, form.password.data
        )
        if admin and valid:
            start_session(admin)
            admin.last_login_at = utcnow()
            db.session.add(
                AuditEntry(actor=admin.email, action="admin.login", ip=request.remote_addr)
            )
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = "The email address or password is not right"
    status = 200 if request.method == "GET" or not (form.errors or error) else 400
    return render_template("admin/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Log out here and everywhere: every earlier cookie of this admin stops working."""
    admin = signed_in_admin()
    if admin is not None:
        end_sessions(admin)
        db.session.add(AuditEntry(actor=admin.email, action="admin.logout", ip=request.remote_addr))
        db.session.commit()
    session.clear()
    return redirect(url_for("admin.login"))


def _safe_next(target: str | None) -> str:
    # Only paths inside the admin area: never an open redirect to another site.
    if target and target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.dashboard")
