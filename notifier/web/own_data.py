"""A subscriber's own data from their manage link: download it as JSON, or erase it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for

from notifier.extensions import db
from notifier.models import utcnow
from notifier.subscriptions.erase import erase
from notifier.subscriptions.own_data import own_data
from notifier.subscriptions.tokens import make_token
from notifier.web.forms import ButtonForm
from notifier.web.links import page_for, token_view

bp = Blueprint("own_data", __name__)


# Any status may see or erase its data: someone who left or bounced owns it as much.
@bp.get("/manage/<token>/data.json")
@token_view("manage")
def data_json(subscriber):
    body = json.dumps(own_data(subscriber, utcnow()), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.route("/manage/<token>/erase", methods=["GET", "POST"])
@token_view("manage")
def erase_page(subscriber):
    """GET asks to be sure (mail scanners follow links); POST erases and says so."""
    if request.method == "GET":
        return render_template(
            "erase.html",
            form=ButtonForm(),
            subscriber=subscriber,
            data_url=url_for("own_data.data_json", token=_token(subscriber)),
            manage_url=page_for("manage", subscriber)
            if subscriber.status in ("pending", "confirmed")
            else None,
        )
    erase(subscriber, utcnow(), reason="subscriber")
    db.session.commit()
    return render_template("erased.html")


def _token(subscriber) -> str:
    return make_token("manage", subscriber.id, subscriber.token_version)
