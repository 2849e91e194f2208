"""GET /privacy: the privacy notice, written from the settings that decide what is kept."""

from __future__ import annotations

from email.utils import parseaddr

from flask import Blueprint, render_template

from notifier.extensions import limiter
from notifier.settings import current_settings

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
@limiter.exempt
def privacy_page():
    settings = current_settings()
    return render_template(
        "privacy.html",
        controller=settings.privacy_controller or settings.site_name,
        contact=settings.privacy_contact or parseaddr(settings.mail_from)[1],
        retention_days=settings.retention_days,
        pending_days=settings.pending_retention_days,
        unsubscribed_days=settings.unsubscribed_retention_days,
    )
