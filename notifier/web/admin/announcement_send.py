"""An announcement's way out: preview, test send, confirm with the count, progress, cancel."""

from __future__ import annotations

from datetime import UTC

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from notifier.announcements import audience
from notifier.announcements.drafts import AnnouncementError
from notifier.announcements.preview import preview as build_preview
from notifier.announcements.progress import progress
from notifier.announcements.sending import NotSent, cancel, confirm, send_if_due
from notifier.announcements.trial import send_test
from notifier.extensions import db
from notifier.models import utcnow
from notifier.moments import parse_moment
from notifier.web.admin.access import bp, login_required
from notifier.web.admin.announcement_forms import ScheduleForm, SendForm, chosen_send_at
from notifier.web.admin.announcements import find

# Sandboxed, and its own styles only: the email's HTML cannot run or reach anything.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-ancestors 'self'; sandbox"
)
REFRESH_SECONDS = 5


@bp.get("/announcements/<id:announcement_id>/preview")
@login_required
def preview(announcement_id: int):
    """The draft as a named recipient will get it, how many it reaches, and what to do next."""
    item = find(announcement_id)
    return _preview_page(item, ScheduleForm(revision=item.revision))


def _preview_page(item, schedule: ScheduleForm, status: int = 200):
    wanted = request.args.get("sample", "").strip()
    sample = audience.sample(item.strands, wanted or None)
    sample_error = None
    if wanted and sample is None:
        sample_error = f"{wanted} is not among the people this announcement reaches"
        sample = audience.sample(item.strands)
    shown = build_preview(item, sample, utcnow()) if sample else None
    return render_template(
        "admin/announcement_preview.html",
        item=item,
        recipients=audience.count(item.strands),
        sample=sample,
        wanted=wanted,
        sample_error=sample_error,
        shown=shown,
        schedule=schedule,
    ), (400 if sample_error else status)


@bp.get("/announcements/<id:announcement_id>/preview.html")
@login_required
def preview_html(announcement_id: int):
    """The HTML part alone, framed by the preview page under a sandboxing policy."""
    item = find(announcement_id)
    sample = audience.sample(item.strands, request.args.get("sample") or None)
    if sample is None:
        return make_response("Nobody receives this announcement.", 404)
    response = make_response(build_preview(item, sample, utcnow()).html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/announcements/<id:announcement_id>/test")
@login_required
def test_send(announcement_id: int):
    """Send this version of the draft to the signed-in admin's own address."""
    item = find(announcement_id)
    if FlaskForm().validate_on_submit():
        queued = send_test(item, g.admin, utcnow())
        db.session.commit()
        if queued:
            flash(f"A test of version {item.revision} is on its way to {g.admin.email}.")
        else:
            flash(f"A test of version {item.revision} was already sent to {g.admin.email}.")
    return redirect(url_for("admin.preview", announcement_id=item.id))


@bp.post("/announcements/<id:announcement_id>/confirm")
@login_required
def confirm_page(announcement_id: int):
    """Ask once more, repeating how many people it reaches and when."""
    item = find(announcement_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _preview_page(item, form, 400)
    send_at = chosen_send_at(form)
    if form.errors or form.send_at.errors:
        return _preview_page(item, form, 400)
    recipients = audience.count(item.strands)
    if recipients == 0:
        form.when.errors.append("This announcement reaches nobody: choose other strands")
        return _preview_page(item, form, 400)
    # formdata=None: the values below, not the fields of the request that led here.
    send = SendForm(
        formdata=None,
        revision=form.revision.data,
        send_at=send_at.isoformat() if send_at else "",
        recipients=recipients,
    )
    return render_template(
        "admin/announcement_confirm.html",
        item=item,
        recipients=recipients,
        send_at=send_at,
        form=send,
    )


@bp.post("/announcements/<id:announcement_id>/send")
@login_required
def send(announcement_id: int):
    """Confirm the send; a second press, or a second admin, finds it already confirmed."""
    item = find(announcement_id)
    form = SendForm()
    if not form.validate_on_submit() or form.revision.data is None:
        flash("Nothing was sent: the form was incomplete. Check the preview again.")
        return redirect(url_for("admin.preview", announcement_id=item.id))
    try:
        # Our own isoformat, with its offset, round-tripped through the confirm page.
        send_at = parse_moment(form.send_at.data, UTC) if form.send_at.data else None
        now = utcnow()
        confirm(item, form.revision.data, send_at, g.admin, now, form.recipients.data)
        db.session.commit()
        send_if_due(item, now)
    except NotSent as exc:
        db.session.rollback()
        flash(f"Nothing more was sent: {exc}")
    except (ValueError, AnnouncementError):
        db.session.rollback()
        flash("Nothing was sent: the send time was not readable. Check the preview again.")
        return redirect(url_for("admin.preview", announcement_id=item.id))
    else:
        flash("Scheduled." if item.state == "scheduled" else "Sending: its emails are queued.")
    return redirect(url_for("admin.announcement", announcement_id=item.id))


@bp.get("/announcements/<id:announcement_id>")
@login_required
def announcement(announcement_id: int):
    """Its state and emails; the page refreshes itself (no script) until nothing is left."""
    item = find(announcement_id)
    counts = progress(item)
    refreshing = not counts.finished and request.args.get("refresh") != "off"
    response = make_response(
        render_template(
            "admin/announcement.html",
            item=item,
            counts=counts,
            form=FlaskForm(),
            refreshing=refreshing,
        )
    )
    if refreshing:
        # The Refresh header does what <meta http-equiv="refresh"> does, with no script; the
        # page offers a link that stops it (WCAG 2.2.1: a timed change the user can turn off).
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.post("/announcements/<id:announcement_id>/cancel")
@login_required
def cancel_send(announcement_id: int):
    """Cancel a draft or a scheduled announcement, until its sending starts."""
    item = find(announcement_id)
    if FlaskForm().validate_on_submit():
        try:
            cancel(item, g.admin, utcnow())
        except NotSent as exc:
            db.session.rollback()
            flash(f"Nothing changed. {exc}")
        else:
            db.session.commit()
            flash("Cancelled: nothing of it will be sent.")
    return redirect(url_for("admin.announcement", announcement_id=item.id))
