"""The admin overview: subscribers, delivery, feeds and deadlines at a glance."""

from __future__ import annotations

from flask import current_app, render_template

from notifier import admin_overview
from notifier.models import utcnow
from notifier.publish.calendar import open_deadlines
from notifier.web.admin.access import bp, login_required


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
