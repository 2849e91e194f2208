"""GET /metrics: Prometheus text, the processes' counters beside the database's gauges."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST

from notifier.extensions import limiter
from notifier.models import utcnow
from notifier.observe.gauges import database_metrics
from notifier.observe.metrics import process_metrics
from notifier.settings import current_settings

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The metrics; 401 without the bearer token when NOTIFIER_METRICS_TOKEN is set."""
    wanted = current_settings().metrics_token
    if wanted:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), wanted):
            abort(401, description="Send the metrics token as 'Authorization: Bearer TOKEN'.")
    body = process_metrics() + database_metrics(utcnow())
    return Response(
        body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], content_type=CONTENT_TYPE_LATEST
    )
