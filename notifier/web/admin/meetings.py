"""Meetings as admins keep them: confirm what was spotted, add, edit and cancel."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from notifier.extensions import db
from notifier.meetings import manage
from notifier.models import Meeting, Strand, utcnow
from notifier.moments import BadMoment, parse_moment
from notifier.settings import current_settings
from notifier.web.admin.access import bp, login_required
from notifier.web.intake import form_shows_nul
from notifier.web.page_form import PageForm

MOMENT_HINT = "like 2026-12-04T10:00"


class MeetingForm(PageForm):
    strand = SelectField("Strand", validators=[Optional()])
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=500)])
    starts = StringField(
        "Starts", validators=[DataRequired(f"Enter when it starts, {MOMENT_HINT}")]
    )
    ends = StringField("Ends", validators=[DataRequired(f"Enter when it ends, {MOMENT_HINT}")])
    place = StringField("Place", validators=[Optional(), Length(max=500)])
    registration_url = StringField(
        "Registration link",
        validators=[
            Optional(),
            Length(max=2000),
            Regexp(r"^https?://\S+$", message="Enter a link starting http:// or https://"),
        ],
    )

    def fields(self, tz) -> manage.MeetingFields | None:
        """The meeting's fields, or None with the errors beside the fields."""
        moments = {}
        for name in ("starts", "ends"):
            field = getattr(self, name)
            if field.errors:
                continue
            try:
                moments[name] = parse_moment(field.data or "", tz)
            except BadMoment:
                field.errors.append(f"Enter a date and time, {MOMENT_HINT}")
        if len(moments) == 2 and moments["ends"] <= moments["starts"]:
            self.ends.errors.append("The end must be after the start")
        if self.ends.errors or self.starts.errors:
            return None
        return manage.MeetingFields(
            strand_id=int(self.strand.data) if self.strand.data else None,
            title=(self.title.data or "").strip(),
            starts_at=moments["starts"],
            ends_at=moments["ends"],
            place=(self.place.data or "").strip(),
            registration_url=(self.registration_url.data or "").strip() or None,
        )


def _form(meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm()
    strands = db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position))
    form.strand.choices = [("", "All strands")] + [(str(s.id), s.name) for s in strands]
    if request.method == "GET" and meeting is not None:
        tz = current_settings().tz
        form.strand.data = str(meeting.strand_id or "")
        form.title.data = meeting.title
        form.starts.data = meeting.starts_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
        form.ends.data = meeting.ends_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
        form.place.data = meeting.place
        form.registration_url.data = meeting.registration_url or ""
    return form


@bp.get("/meetings")
@login_required
def meetings():
    """Proposals to check first, then the meetings not yet over, then the rest."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.status != "rejected")
        .options(selectinload(Meeting.strand), selectinload(Meeting.update))
        .order_by(Meeting.starts_at)
    ).all()
    now = utcnow()
    return render_template(
        "admin/meetings.html",
        proposed=[m for m in rows if m.status == "proposed"],
        coming=[m for m in rows if m.status != "proposed" and m.ends_at > now],
        past=[m for m in rows if m.status != "proposed" and m.ends_at <= now][-20:],
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@form_shows_nul
@login_required
def meeting(meeting_id: int | None = None):
    """Add a meeting, or edit one (a proposal's edit does not yet publish it)."""
    row = db.session.get(Meeting, meeting_id) or abort(404) if meeting_id else None
    form = _form(row)
    tz = current_settings().tz
    if request.method == "POST":
        valid = form.validate()
        fields = form.fields(tz)  # every problem at once, beside its field
        if valid and fields is not None:
            saved = manage.save(row, fields, g.admin.email, utcnow())
            db.session.commit()
            flash(f"Meeting saved: {saved.title}")
            return redirect(url_for("admin.meetings"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/meeting.html", form=form, meeting=row, tz=tz), status


@bp.post("/meetings/<int:meeting_id>/<any(confirm, reject, cancel):action>")
@login_required
def meeting_action(meeting_id: int, action: str):
    """Confirm or reject a proposal, or cancel a published meeting."""
    row = db.session.get(Meeting, meeting_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form had expired. Go back, reload the page and try again.")
    allowed = {
        "confirm": ("proposed", "rejected"),
        "reject": ("proposed",),
        "cancel": ("confirmed",),
    }
    done = {"confirm": "confirmed", "reject": "rejected", "cancel": "cancelled"}[action]
    if row.status not in allowed[action]:
        abort(409, description=f"This meeting is {row.status}: it cannot be {done} now.")
    getattr(manage, action)(row, g.admin.email, utcnow())
    db.session.commit()
    flash(f"Meeting {done}: {row.title}")
    return redirect(url_for("admin.meetings"))
