"""Admin API: DELETE /api/v1/subscribers/<id>, the same erase as the subscriber's own."""

from __future__ import annotations

from flask import Blueprint, g

from notifier.extensions import csrf, db
from notifier.models import Subscriber, utcnow
from notifier.subscriptions.erase import erase
from notifier.web.auth import api_role_required, require_api_admin
from notifier.web.problems import problem

bp = Blueprint("api_erase", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.delete("/subscribers/<id:subscriber_id>")
@require_api_admin
@api_role_required("erase")
def erase_subscriber(subscriber_id: int):
    """Erase one subscriber; 200 saying what went, 404 for an id with no subscriber."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return problem(404, f"No subscriber has the id {subscriber_id}.")
    report = erase(subscriber, utcnow(), reason="admin", actor=g.admin.email)
    db.session.commit()
    return {
        "id": subscriber_id,
        "erased": True,
        "emails_scrubbed": report.emails_scrubbed,
        "emails_cancelled": report.emails_cancelled,
        "bounces_scrubbed": report.bounces_scrubbed,
        "consent_records_deleted": report.consent_records,
    }
