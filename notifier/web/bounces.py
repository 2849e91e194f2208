"""POST /api/v1/bounces: relays report bounces and complaints here, with a shared secret."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, request

from notifier.bounces.ingest import ReportError, ingest_report, record_reports, reports_from_json
from notifier.extensions import csrf, db
from notifier.models import utcnow
from notifier.settings import current_settings
from notifier.web.intake import authenticated_by, body_limit
from notifier.web.problems import problem

bp = Blueprint("bounces", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_REPORT = 4 * 1024 * 1024
RAW_TYPES = ("message/rfc822", "multipart/report", "text/plain", "application/octet-stream")


def _authenticate() -> None:
    secret = current_settings().bounce_webhook_secret
    if not secret:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compared in constant time, so the secret cannot be guessed byte by byte from timings.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), secret.encode()
    ):
        abort(401, description="Send the bounce webhook secret as 'Authorization: Bearer SECRET'.")


@bp.post("/bounces")
@body_limit(MAX_REPORT)  # a report may carry the whole message that bounced
@authenticated_by(_authenticate)  # before the body is parsed: a stranger's is never read
def receive():
    """Record a JSON {email, type, diagnostic} (or a list of them) or a raw DSN/ARF message."""
    now = utcnow()
    try:
        if request.mimetype == "application/json":
            body = request.get_json(silent=True)
            if body is None:
                raise ReportError("the body is not valid JSON")
            recorded = record_reports(reports_from_json(body), now, source="webhook")
        elif request.mimetype in RAW_TYPES:
            recorded = ingest_report(request.get_data(), now, source="webhook")
        else:
            raise ReportError("send application/json, or a report as message/rfc822")
    except ReportError as exc:
        db.session.rollback()
        return problem(400, str(exc))
    db.session.commit()
    return {"recorded": [{"email": b.email, "type": b.kind} for b in recorded]}, 200
