"""Subscribers: find and filter them, one subscriber's page, and suppress, lift or erase."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from notifier import directory
from notifier.bounces.suppression import SuppressionError, suppress, unsuppress
from notifier.extensions import db
from notifier.models import AuditEntry, Strand, Subscriber, utcnow
from notifier.models.people import STATUSES
from notifier.roles import may
from notifier.subscriptions.erase import erase
from notifier.web.admin.access import bp, login_required, role_required


@bp.get("/subscribers")
@login_required
def subscribers():
    """Search by address, filter by strand and status; pages of 50, newest first."""
    query = request.args.get("q", "")
    strand = request.args.get("strand", "")
    status = request.args.get("status", "")
    error = None
    if status and status not in STATUSES:
        error, status = f"Choose a status from the list, not {status!r}", ""
    found = directory.subscribers(query, strand, status, request.args.get("after", type=int))
    strands = db.session.scalars(db.select(Strand).order_by(Strand.position, Strand.id)).all()
    return render_template(
        "admin/subscribers.html",
        query=query,
        strand=strand,
        status=status,
        statuses=STATUSES,
        strands=strands,
        found=found,
        error=error,
        consent={s.id: directory.history(s, emails=0).consent for s in found.items},
        strand_names={s.slug: s.name for s in strands},
    ), (400 if error else 200)


@bp.get("/subscribers/<id:subscriber_id>")
@login_required
def subscriber(subscriber_id: int):
    """One subscriber: status, preferences, consent history, emails, bounces, and actions."""
    person = db.session.get(Subscriber, subscriber_id) or abort(404)
    strands = db.session.scalars(db.select(Strand)).all()
    return render_template(
        "admin/subscriber.html",
        person=person,
        history=directory.history(person),
        strand_names={s.slug: s.name for s in strands},
        may_change=may(g.admin, "suppress"),
        may_erase=may(g.admin, "erase"),
    )


@bp.post("/subscribers/<id:subscriber_id>/suppress")
@login_required
@role_required("suppress")
def suppress_one(subscriber_id: int):
    """Stop all mail to an address, with the reason the admin gives."""
    person = db.session.get(Subscriber, subscriber_id) or abort(404)
    reason = " ".join(request.form.get("reason", "").split())[:200]
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form had expired: try again.")
    if not reason:
        flash("Nothing changed: give the reason for suppressing this address.")
    elif person.status == "suppressed":
        flash(f"Nothing changed: {person.email} is suppressed already.")
    else:
        now = utcnow()
        cancelled = suppress(person, f"admin: {reason}", now)
        db.session.add(
            AuditEntry(
                at=now,
                actor=g.admin.email,
                action="subscriber.suppress",
                target=person.email,
                detail={"reason": reason, "emails_cancelled": cancelled},
            )
        )
        db.session.commit()
        flash(f"{person.email} is suppressed; {cancelled} queued emails were cancelled.")
    return redirect(url_for("admin.subscriber", subscriber_id=subscriber_id))


@bp.post("/subscribers/<id:subscriber_id>/lift")
@login_required
@role_required("suppress")
def lift_one(subscriber_id: int):
    """Let a suppressed address receive mail again."""
    person = db.session.get(Subscriber, subscriber_id) or abort(404)
    if FlaskForm().validate_on_submit():
        _lift(person.email)
    return redirect(url_for("admin.subscriber", subscriber_id=subscriber_id))


@bp.post("/subscribers/<id:subscriber_id>/erase")
@login_required
@role_required("erase")
def erase_one(subscriber_id: int):
    """Erase a subscriber as their own erase does; asks for a tick first, as it is final."""
    person = db.session.get(Subscriber, subscriber_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form had expired: try again.")
    if request.form.get("confirm") != "yes":
        flash("Nothing was erased: tick the box to say you mean it.")
        return redirect(url_for("admin.subscriber", subscriber_id=subscriber_id))
    report = erase(person, utcnow(), reason="admin", actor=g.admin.email)
    db.session.commit()
    flash(
        f"Subscriber {subscriber_id} is erased: {report.emails_scrubbed} emails scrubbed, "
        f"{report.emails_cancelled} queued emails cancelled. Only a keyed hash of the address "
        "is kept, so an import cannot add it back."
    )
    return redirect(url_for("admin.subscribers"))


@bp.post("/subscribers/unsuppress")
@login_required
@role_required("suppress")
def lift_suppression():
    """Let a suppressed address (a bounce or a complaint) receive mail again."""
    email = request.form.get("email", "")
    if FlaskForm().validate_on_submit():
        _lift(email)
    return redirect(url_for("admin.subscribers", q=email))


def _lift(email: str) -> None:
    try:
        subscriber = unsuppress(email, actor=g.admin.email)
    except SuppressionError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.")
    else:
        db.session.commit()
        flash(f"{subscriber.email} is no longer suppressed; it is now {subscriber.status}.")
