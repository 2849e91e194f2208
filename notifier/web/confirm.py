"""Confirm a subscription: GET shows a button (mail scanners follow links), POST confirms."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from notifier.extensions import db
from notifier.models import utcnow
from notifier.subscriptions.confirm import CannotConfirm, confirm
from notifier.web.forms import ButtonForm
from notifier.web.links import link_problem, page_for, token_view
from notifier.web.visitor import origin

bp = Blueprint("confirm", __name__)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@token_view("confirm")
def confirm_page(subscriber):
    if request.method == "GET":
        return render_template("confirm.html", form=ButtonForm(), subscriber=subscriber)
    try:
        confirm(subscriber, origin("confirm link"), utcnow())
    except CannotConfirm:
        return link_problem("invalid")
    db.session.commit()
    return render_template(
        "confirmed.html", subscriber=subscriber, manage_url=page_for("manage", subscriber)
    )
