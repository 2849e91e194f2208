"""Admin API: DELETE /api/v1/subscribers/<id>, the same erase as the subscriber's own.

Routed by api_subscribers together with GET on the same path: werkzeug answers 405, not 404,
for an id out of range when two rules share a path (so the two methods are one rule).
"""

from __future__ import annotations

from flask import abort, g

from notifier.extensions import db
from notifier.models import Subscriber, utcnow
from notifier.roles import refusal
from notifier.subscriptions.erase import erase
from notifier.web.problems import problem


def erase_subscriber(subscriber_id: int):
    """Erase one subscriber; 200 saying what went, 403 for an editor, 404 for no subscriber."""
    if (why := refusal(g.admin, "erase")) is not None:
        abort(403, description=why)
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
