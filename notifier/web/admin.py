"""Admin pages behind a login: the state of subscribers, updates, deadlines and delivery."""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from notifier import admin_overview
from notifier.admins import find_admin
from notifier.bounces.suppression import SuppressionError, unsuppress
from notifier.extensions import db, limiter
from notifier.feeds.calendar import open_deadlines
from notifier.feeds.corrections import correct_deadline, parse_deadline_input
from notifier.models import Admin, Announcement, AuditEntry, Update, utcnow
from notifier.schedules.announcements import AnnouncementError, create_announcement
from notifier.schedules.announcements import status as announcement_status
from notifier.subscriptions.choices import active_strands

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Compared against when the address is unknown, so a wrong address costs as long as a wrong
# password and timing does not reveal which admins exist.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummysa$" + "0" * 128


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes; none chosen is allowed (it means everyone)."""

    def pre_validate(self, form):
        known = {value for value, _ in self.choices}
        for value in self.data or []:
            if value not in known:
                raise ValueError(f"{value!r} is not a strand")


class DeadlineForm(FlaskForm):
    deadline = StringField("Deadline", validators=[Optional()])
    no_deadline = BooleanField("This update does not invite comments by a deadline")


class AnnouncementForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired("Enter a subject")])
    body = TextAreaField("Message", validators=[DataRequired("Enter the message")])
    strands = MultiCheckboxField("Send to", choices=[])
    send_at = DateTimeLocalField("Send at", format="%Y-%m-%dT%H:%M", validators=[Optional()])


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


def login_required(view):
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
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
            session.clear()
            session["admin_id"] = admin.id
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
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def dashboard():
    now = utcnow()
    return render_template(
        "admin/dashboard.html",
        subscribers=admin_overview.subscriber_counts(),
        delivery=admin_overview.delivery_counts(now),
        feeds=admin_overview.feeds(),
        deadlines=open_deadlines(now),
        updates=admin_overview.recent_updates(),
        failures=admin_overview.recent_failures(),
        tz=current_app.config["NOTIFIER"].tz,
    )


@bp.get("/subscribers")
@login_required
def subscribers():
    query = request.args.get("q", "")
    found = admin_overview.find_subscribers(query) if query.strip() else []
    return render_template(
        "admin/subscribers.html",
        query=query,
        found=found,
        consent=admin_overview.consent_records([s.id for s in found]),
        strand_names={strand.slug: strand.name for strand in active_strands()},
        tz=current_app.config["NOTIFIER"].tz,
    )


@bp.post("/subscribers/unsuppress")
@login_required
def lift_suppression():
    """Let a suppressed address (a bounce or a complaint) receive mail again."""
    form = FlaskForm()
    email = request.form.get("email", "")
    if form.validate_on_submit():
        try:
            subscriber = unsuppress(email, actor=g.admin.email)
        except SuppressionError as exc:
            flash(f"Nothing changed: {exc}.")
        else:
            db.session.commit()
            flash(f"{subscriber.email} is no longer suppressed; it is now {subscriber.status}.")
    return redirect(url_for("admin.subscribers", q=email))


@bp.route("/updates/<id:update_id>/deadline", methods=["GET", "POST"])
@login_required
def deadline(update_id: int):
    """Correct the comment deadline the service read from an update, or say there is none."""
    update = db.session.get(Update, update_id) or abort(404)
    form = DeadlineForm()
    tz = current_app.config["NOTIFIER"].tz
    if form.validate_on_submit():
        at = None
        if not form.no_deadline.data:
            try:
                at = parse_deadline_input(form.deadline.data or "", tz)
            except ValueError:
                form.deadline.errors.append(
                    "Enter the deadline as a date and time, like 2026-12-04T17:00"
                )
        if not form.deadline.errors:
            correct_deadline(update.id, at, g.admin.email, utcnow())
            flash("Deadline saved. Later polls will not change it.")
            return redirect(url_for("admin.dashboard"))
    elif request.method == "GET" and update.deadline and not update.deadline.cancelled:
        form.deadline.data = update.deadline.at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    status = 400 if form.errors or form.deadline.errors else 200
    return render_template("admin/deadline.html", form=form, update=update, tz=tz), status


@bp.route("/announcements", methods=["GET", "POST"])
@login_required
def announcements():
    """Write an announcement to everyone or chosen strands, now or at a set time."""
    strands = active_strands()
    form = AnnouncementForm()
    form.strands.choices = [(strand.slug, strand.name) for strand in strands]
    tz = current_app.config["NOTIFIER"].tz
    if form.validate_on_submit():
        send_at = form.send_at.data.replace(tzinfo=tz) if form.send_at.data else None
        try:
            create_announcement(
                form.subject.data, form.body.data, form.strands.data, send_at, g.admin, utcnow()
            )
        except AnnouncementError as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
        else:
            flash("Announcement saved. Its emails are queued at its send time.")
            return redirect(url_for("admin.announcements"))
    recent = db.session.scalars(
        select(Announcement).order_by(Announcement.id.desc()).limit(20)
    ).all()
    status = 400 if any(field.errors for field in form) else 200
    return render_template(
        "admin/announcements.html", form=form, recent=recent, status_of=announcement_status
    ), status


def _safe_next(target: str | None) -> str:
    # Only paths inside the admin area: never an open redirect to another site.
    if target and target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.dashboard")
