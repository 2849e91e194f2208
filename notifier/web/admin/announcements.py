"""Announcements: write one to everyone or chosen strands, now or at a set time."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from notifier.extensions import db
from notifier.models import Announcement, utcnow
from notifier.schedules.announcements import AnnouncementError, create_announcement
from notifier.schedules.announcements import status as announcement_status
from notifier.subscriptions.choices import active_strands
from notifier.web.admin.access import bp, login_required
from notifier.web.admin.fields import MultiCheckboxField


class AnnouncementForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired("Enter a subject")])
    body = TextAreaField("Message", validators=[DataRequired("Enter the message")])
    strands = MultiCheckboxField("Send to", choices=[])
    send_at = DateTimeLocalField("Send at", format="%Y-%m-%dT%H:%M", validators=[Optional()])


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
