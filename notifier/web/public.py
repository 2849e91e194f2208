"""The start page: subscribe by strand, and ask for a fresh link when one does not work."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from notifier.extensions import db, limiter
from notifier.models import utcnow
from notifier.subscriptions.consent import WORDING
from notifier.subscriptions.subscribe import request_new_link, subscribe
from notifier.web.abuse import limit_writes, spend_address
from notifier.web.forms import NewLinkForm, SubscribeForm
from notifier.web.intake import form_shows_nul
from notifier.web.page_cache import with_csrf
from notifier.web.visitor import origin

bp = Blueprint("public", __name__)
limit_writes(bp)


@bp.get("/")
# Only POSTs count against the public write limit: a GET has nothing for the limiter to do.
@limiter.exempt
def index():
    return with_csrf(
        "index",
        lambda **context: render_template(
            "index.html", form=SubscribeForm(meta={"csrf": False}), wording=WORDING, **context
        ),
    )


@bp.post("/subscribe")
@form_shows_nul
def subscribe_form():
    """Validate, then give the same answer whatever state the address is in."""
    form = SubscribeForm()
    spend_address(form.email.data)
    if form.is_bot:
        return check_inbox()
    if not form.validate():
        return render_template("index.html", form=form, wording=WORDING), 400
    subscribe(form.address, form.choices, origin("web form"), utcnow())
    db.session.commit()
    return check_inbox()


@bp.post("/new-link")
@form_shows_nul
def new_link():
    """Send a fresh link to a known address; reveal nothing about whether it is known."""
    form = NewLinkForm()
    spend_address(form.email.data)
    if not form.validate():
        return render_template("link_problem.html", form=form, reason="form"), 400
    request_new_link(form.address, utcnow())
    db.session.commit()
    return check_inbox()


def check_inbox():
    return render_template("check_inbox.html")


@bp.app_errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
    """A form without a valid CSRF token: usually an old tab or blocked cookies."""
    return render_template("form_expired.html"), 400
