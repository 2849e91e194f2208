"""Admin API: find subscribers by address, and one subscriber's record."""

from __future__ import annotations

from flask import Blueprint, abort, request
from sqlalchemy import select

from notifier import directory
from notifier.extensions import csrf, db
from notifier.models import Subscriber, utcnow
from notifier.subscriptions.own_data import own_data
from notifier.web.api_erase import erase_subscriber
from notifier.web.auth import require_api_admin
from notifier.web.paging import answer, page_args

bp = Blueprint("api_subscribers", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/subscribers")
@require_api_admin
def find():
    """`email` (exact, any case), or `q` (part of an address), `strand`, `status`; paged."""
    after, limit = page_args()
    if (email := request.args.get("email")) is not None:
        wanted = email.strip().lower()
        person = db.session.scalar(select(Subscriber).where(Subscriber.email == wanted))
        return answer([_summary(person)] if person else [], None)
    status = request.args.get("status", "")
    try:
        found = directory.subscribers(
            request.args.get("q", ""), request.args.get("strand", ""), status, after, limit
        )
    except ValueError as exc:
        abort(400, description=str(exc))
    return answer([_summary(s) for s in found.items], found.next)


@bp.route("/subscribers/<id:subscriber_id>", methods=["GET", "DELETE"])
@require_api_admin
def show(subscriber_id: int):
    """Status, per-strand preferences, consent records, emails sent, bounces; DELETE erases."""
    if request.method == "DELETE":
        return erase_subscriber(subscriber_id)
    person = db.session.get(Subscriber, subscriber_id)
    if person is None:
        abort(404, description=f"No subscriber has the id {subscriber_id}.")
    return {"id": person.id, **own_data(person, utcnow())}


def _summary(person: Subscriber) -> dict:
    return {
        "id": person.id,
        "email": person.email,
        "status": person.status,
        "strands": [sub.strand.slug for sub in person.preferences],
        "confirmed_at": person.confirmed_at.isoformat() if person.confirmed_at else None,
    }
