"""Finding subscribers and lifting a suppression."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from notifier import admin_overview
from notifier.bounces.suppression import SuppressionError, unsuppress
from notifier.extensions import db
from notifier.subscriptions.choices import active_strands
from notifier.web.admin.access import bp, login_required, role_required


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
@role_required("suppress")
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
