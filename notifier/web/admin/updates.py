"""Updates as admins correct them: the comment deadline read from an update."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from notifier.extensions import db
from notifier.feeds.corrections import (
    UnknownStrand,
    correct_deadline,
    parse_deadline_input,
    set_strands,
)
from notifier.models import Update, utcnow
from notifier.publish.listing import updates_page
from notifier.settings import current_settings
from notifier.subscriptions.choices import active_strands
from notifier.web.admin.access import bp, login_required
from notifier.web.admin.fields import MultiCheckboxField
from notifier.web.intake import form_shows_nul
from notifier.web.page_form import PageForm


class DeadlineForm(PageForm):
    deadline = StringField("Deadline", validators=[Optional()])
    no_deadline = BooleanField("This update does not invite comments by a deadline")


class StrandsForm(PageForm):
    strands = MultiCheckboxField("Strands", choices=[])
    automatic = BooleanField("Let the service choose from the title and categories again")


@bp.route("/updates/<id:update_id>/strands", methods=["GET", "POST"])
@form_shows_nul
@login_required
def update_strands(update_id: int):
    """Choose the update's strands by hand (kept by later polls), or hand the choice back."""
    update = db.session.get(Update, update_id) or abort(404)
    form = StrandsForm()
    form.strands.choices = [(strand.slug, strand.name) for strand in active_strands()]
    if form.validate_on_submit():
        if form.automatic.data and form.strands.data:
            form.strands.errors.append(
                "Either choose strands or let the service choose them, not both"
            )
        else:
            try:
                set_strands(
                    update.id,
                    None if form.automatic.data else form.strands.data,
                    g.admin.email,
                    utcnow(),
                )
            except UnknownStrand as exc:
                db.session.rollback()
                form.strands.errors.append(f"Choose from the strands listed: {exc}")
            else:
                db.session.commit()
                flash(
                    "Strands saved. The service will choose them again when the update changes."
                    if form.automatic.data
                    else "Strands saved. Later polls will not change them."
                )
                return redirect(url_for("admin.updates"))
    elif request.method == "GET":
        form.strands.data = [strand.slug for strand in update.strands]
    status = 400 if form.errors or form.strands.errors else 200
    return render_template("admin/update_strands.html", form=form, update=update), status


@bp.route("/updates/<id:update_id>/deadline", methods=["GET", "POST"])
@form_shows_nul
@login_required
def deadline(update_id: int):
    """Correct the comment deadline the service read from an update, or say there is none."""
    update = db.session.get(Update, update_id) or abort(404)
    form = DeadlineForm()
    tz = current_settings().tz
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
            db.session.commit()
            flash("Deadline saved. Later polls will not change it.")
            return redirect(url_for("admin.dashboard"))
    elif request.method == "GET" and update.deadline and not update.deadline.cancelled:
        form.deadline.data = update.deadline.at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    status = 400 if form.errors or form.deadline.errors else 200
    return render_template("admin/deadline.html", form=form, update=update, tz=tz), status


@bp.get("/updates")
@login_required
def updates():
    """Updates newest first, searched by title, with their strands and deadline; 50 a page."""
    query = request.args.get("q", "")
    rows, next_after = updates_page(query, request.args.get("after", type=int), 50)
    return render_template("admin/updates.html", rows=rows, query=query, next_after=next_after)


@bp.post("/updates/<id:update_id>/deadline/confirm")
@login_required
def confirm_deadline(update_id: int):
    """Say the deadline as read is right: it becomes an admin's, which polls never overwrite."""
    update = db.session.get(Update, update_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form had expired: try again.")
    if update.deadline is None or update.deadline.cancelled:
        flash("Nothing changed: this update has no deadline to confirm.")
    else:
        correct_deadline(update.id, update.deadline.at, g.admin.email, utcnow())
        db.session.commit()
        flash("Deadline confirmed. Later polls will not change it.")
    return redirect(url_for("admin.deadline", update_id=update.id))
