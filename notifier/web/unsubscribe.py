"""Unsubscribe: GET shows a button; POST leaves, and honours RFC 8058 one-click."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from notifier.extensions import csrf, db
from notifier.models import utcnow
from notifier.subscriptions.tokens import make_token
from notifier.subscriptions.unsubscribe import subscriber_leaving, unsubscribe
from notifier.web.forms import ButtonForm
from notifier.web.links import token_view
from notifier.web.visitor import origin

bp = Blueprint("unsubscribe", __name__)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
# RFC 8058: a mail client's one-click POST carries no cookie, so no CSRF token can be checked.
# Exempting this view lets another site forge that POST only if it already holds the signed,
# per-subscriber token, which is all the authority the link needs; it can do nothing more.
@csrf.exempt
@token_view("unsubscribe", lookup=subscriber_leaving)
def unsubscribe_page(subscriber):
    if request.method == "GET" and subscriber.status != "unsubscribed":
        return render_template("unsubscribe.html", form=ButtonForm(), subscriber=subscriber)
    if request.method == "POST":
        source = "one-click" if request.form.get("List-Unsubscribe") == "One-Click" else "web"
        unsubscribe(subscriber, origin(source), utcnow())
        db.session.commit()
    # 200 with no redirect, as RFC 8058 asks; the page offers a way back in.
    # The same choices, strand by strand, in the fields the subscribe form also reads.
    return render_template(
        "unsubscribed.html",
        email=subscriber.email,
        preferences=subscriber.preferences,
        erase_url=url_for(
            "own_data.erase_page",
            token=make_token("manage", subscriber.id, subscriber.token_version),
        ),
    )
