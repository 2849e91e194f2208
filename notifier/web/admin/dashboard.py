"""The admin overview: subscribers, delivery, feeds, deadlines and the clock at a glance."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from notifier import admin_overview
from notifier.growth import HEIGHT, PAD, WIDTH, growth
from notifier.models import Strand, utcnow
from notifier.observe.readings import pulse
from notifier.publish.calendar import open_deadlines
from notifier.schedules import job_runs
from notifier.settings import current_settings
from notifier.web.admin.access import bp, login_required

# The clock beats every 30 seconds; this long without one means it is not running.
CLOCK_SILENT = timedelta(minutes=5)


@bp.get("/")
@login_required
def dashboard():
    now = utcnow()
    beat = pulse(now).heartbeat_at
    return render_template(
        "admin/dashboard.html",
        subscribers=admin_overview.subscriber_counts(),
        by_strand=admin_overview.strand_counts(),
        strand_names={s.slug: s.name for s in Strand.query.order_by(Strand.position)},
        delivery=admin_overview.delivery_counts(now),
        last_day=admin_overview.emails_last_day(now),
        feeds=admin_overview.feeds(),
        deadlines=open_deadlines(now),
        updates=admin_overview.recent_updates(),
        failures=admin_overview.recent_failures(),
        runs=admin_overview.clock_runs(),
        jobs=job_runs.latest(),
        next_runs=admin_overview.next_runs(now, current_settings()),
        heartbeat=beat,
        clock_silent=beat is None or now - beat > CLOCK_SILENT,
        chart=growth(now),
        box={"width": WIDTH, "height": HEIGHT, "pad": PAD},
        tz=current_settings().tz,
    )
