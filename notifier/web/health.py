"""Liveness and database check for load balancers and operators."""

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from notifier.database import check
from notifier.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Report whether the app is up and the database answers; 503 when it does not."""
    try:
        check(db.engine)
    except SQLAlchemyError as exc:
        return {"status": "error", "database": "unavailable", "error": exc.__class__.__name__}, 503
    return {"status": "ok", "database": "ok", "dialect": db.engine.dialect.name}
