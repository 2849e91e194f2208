"""Announcements: the list, and writing or editing a draft (nothing is sent from here)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from notifier.announcements.drafts import AnnouncementError, save_draft
from notifier.extensions import db
from notifier.models import Announcement, utcnow
from notifier.subscriptions.choices import active_strands
from notifier.web.admin.access import bp, login_required
from notifier.web.admin.fields import MultiCheckboxField
from notifier.web.intake import form_shows_nul
from notifier.web.page_form import PageForm


class ComposeForm(PageForm):
    subject = StringField("Subject", validators=[DataRequired("Enter a subject")])
    body = TextAreaField("Message", validators=[DataRequired("Enter the message")])
    strands = MultiCheckboxField("Send to", choices=[])


@bp.get("/announcements")
@login_required
def announcements():
    """Every announcement, newest first, with its state."""
    recent = db.session.scalars(
        select(Announcement).order_by(Announcement.id.desc()).limit(100)
    ).all()
    return render_template("admin/announcements.html", recent=recent)


@bp.route("/announcements/new", methods=["GET", "POST"])
@form_shows_nul
@login_required
def compose():
    """Write a draft; saving it leads to its preview."""
    return _draft_form(None)


@bp.route("/announcements/<id:announcement_id>/edit", methods=["GET", "POST"])
@form_shows_nul
@login_required
def edit(announcement_id: int):
    """Change a draft; once confirmed it can no longer change."""
    item = find(announcement_id)
    if item.state != "draft":
        flash("This announcement is no longer a draft, so it cannot be changed.")
        return redirect(url_for("admin.announcement", announcement_id=item.id))
    return _draft_form(item)


def _draft_form(item: Announcement | None):
    form = ComposeForm(obj=item if request.method == "GET" else None)
    form.strands.choices = [(strand.slug, strand.name) for strand in active_strands()]
    if form.validate_on_submit():
        try:
            item = save_draft(
                form.subject.data, form.body.data, form.strands.data, g.admin, utcnow(), item
            )
        except AnnouncementError as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
        else:
            db.session.commit()
            return redirect(url_for("admin.preview", announcement_id=item.id))
    status = 400 if any(field.errors for field in form) else 200
    return render_template("admin/announcement_form.html", form=form, item=item), status


def find(announcement_id: int) -> Announcement:
    """The announcement, or 404."""
    item = db.session.get(Announcement, announcement_id)
    return item or abort(404)
