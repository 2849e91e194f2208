"""GET /healthz: the database, the clock's heartbeat, the queue and the polls; 503 with why.

Load balancers ask often and many web processes answer, so each process keeps its answer for
NOTIFIER_HEALTH_CACHE_SECONDS: the check stays one query per process per second at most.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from notifier.extensions import db, limiter
from notifier.models import utcnow
from notifier.observe.readings import pulse
from notifier.settings import current_settings

bp = Blueprint("health", __name__)
_lock = threading.Lock()


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Report what is healthy; 503 naming each reason when the database, clock or queue is not."""
    body, status = answer(current_app._get_current_object())
    return current_app.response_class(body, status=status, mimetype="application/json")


def answer(app) -> tuple[bytes, int]:
    """The JSON body and status, from this process's cache while it is fresh."""
    cache = app.extensions.setdefault("notifier.healthz", {})
    with _lock:
        kept = cache.get("answer")
    if kept and time.monotonic() < kept[0]:
        return kept[1]
    with app.app_context():
        body, status = _check()
        ttl = app.config["NOTIFIER"].health_cache_seconds
    fresh = (json.dumps(body).encode(), status)
    with _lock:
        cache["answer"] = (time.monotonic() + ttl, fresh)
    return fresh


class FastPath:
    """WSGI: answer GET /healthz before Flask's request machinery, which it does not need.

    No session, form, rate limit or template touches a health check; load balancers ask
    several times a second per process, so this keeps them from costing a page's work.
    """

    def __init__(self, app, wsgi_app, headers: dict[str, str]):
        self.app, self.wsgi_app = app, wsgi_app
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/healthz" or environ.get("REQUEST_METHOD") not in (
            "GET",
            "HEAD",
        ):
            return self.wsgi_app(environ, start_response)
        body, status = answer(self.app)
        reason = "OK" if status == 200 else "SERVICE UNAVAILABLE"
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *self.headers,
        ]
        start_response(f"{status} {reason}", headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _check():
    settings = current_settings()
    now = utcnow()
    try:
        reading = pulse(now)
    except SQLAlchemyError as exc:
        db.session.rollback()
        reason = f"database unavailable: {exc.__class__.__name__}"
        return {"status": "unhealthy", "database": "unavailable", "reasons": [reason]}, 503
    heartbeat = reading.age(reading.heartbeat_at, now)
    waited = reading.age(reading.oldest_due_at, now)
    reasons = []
    if heartbeat is not None and heartbeat > settings.health_heartbeat_max_seconds:
        reasons.append(
            f"scheduler heartbeat is {heartbeat:.0f} s old "
            f"(over NOTIFIER_HEALTH_HEARTBEAT_MAX_SECONDS, {settings.health_heartbeat_max_seconds})"
        )
    if waited is not None and waited > settings.health_queue_max_seconds:
        reasons.append(
            f"the oldest due email has waited {waited:.0f} s "
            f"(over NOTIFIER_HEALTH_QUEUE_MAX_SECONDS, {settings.health_queue_max_seconds})"
        )
    body = {
        "status": "unhealthy" if reasons else "ok",
        "database": "ok",
        "dialect": db.engine.dialect.name,
        "scheduler": {
            "heartbeat_at": _iso(reading.heartbeat_at),
            "heartbeat_age_seconds": heartbeat,
            # A clock never started yet is not a failure of this process: reported, not a 503.
            "seen": reading.heartbeat_at is not None,
        },
        "queue": {
            "due": reading.due,
            "oldest_due_at": _iso(reading.oldest_due_at),
            "oldest_due_age_seconds": waited,
        },
        "feeds": {"last_success_at": _iso(reading.last_poll_success_at)},
        "reasons": reasons,
    }
    return body, 503 if reasons else 200


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
