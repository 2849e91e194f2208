"""Admin API: subscribers by status and strand, emails by status in the last 24 hours."""

from __future__ import annotations

from flask import Blueprint

from notifier import admin_overview
from notifier.models import utcnow
from notifier.web.auth import require_api_admin

bp = Blueprint("api_stats", __name__, url_prefix="/api/v1")


@bp.get("/stats")
@require_api_admin
def stats():
    now = utcnow()
    return {
        "at": now.isoformat(),
        "subscribers": admin_overview.subscriber_counts(),
        "subscribers_by_strand": admin_overview.strand_counts(),
        "emails_last_24h": admin_overview.emails_last_day(now),
    }
