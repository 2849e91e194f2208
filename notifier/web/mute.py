"""GET /mute/<token> asks; POST mutes one update's reminders (mail scanners only GET)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from notifier.extensions import db
from notifier.models import utcnow
from notifier.subscriptions import mute as muting
from notifier.subscriptions.tokens import TokenError
from notifier.web.links import link_problem, page_for

bp = Blueprint("mute", __name__)


@bp.route("/mute/<token>", methods=["GET", "POST"])
def mute_page(token: str):
    try:
        subscriber, update = muting.read(token)
    except TokenError as exc:
        return link_problem(exc.reason)
    done = muting.is_muted(subscriber, update)
    if request.method == "POST" and not done:
        muting.mute(subscriber, update, utcnow())
        db.session.commit()
        done = True
    return render_template(
        "mute.html",
        update=update,
        done=done,
        manage_url=page_for("manage", subscriber),
    )
