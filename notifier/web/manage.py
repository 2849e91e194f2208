"""Manage preferences from a link in any email: strands, each one's frequency and reminders."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from notifier.extensions import db
from notifier.models import utcnow
from notifier.subscriptions import calendar_link
from notifier.subscriptions.choices import FREQUENCY_LABELS
from notifier.subscriptions.manage import change_preferences
from notifier.subscriptions.tokens import make_token
from notifier.subscriptions.words import preference_words
from notifier.web.forms import ManageForm
from notifier.web.intake import form_shows_nul
from notifier.web.links import link_problem, page_for, token_view
from notifier.web.visitor import origin

bp = Blueprint("manage", __name__)


@bp.route("/manage/<token>", methods=["GET", "POST"])
@form_shows_nul
@token_view("manage")
def manage_page(subscriber):
    if subscriber.status not in ("pending", "confirmed"):
        return link_problem("replayed")
    form = ManageForm(subscriber)
    if request.method == "GET":
        return _page(form, subscriber)
    if not form.validate():
        return _page(form, subscriber), 400
    changed = change_preferences(subscriber, form.choices, origin("manage page"), utcnow())
    db.session.commit()
    return _page(ManageForm(subscriber, formdata=None), subscriber, saved=True, changed=changed)


@bp.post("/manage/<token>/calendar")
@token_view("manage")
def calendar_link_page(subscriber):
    """Make a new private calendar link (the old one stops working), or turn it off."""
    if subscriber.status != "confirmed":
        return link_problem("replayed")
    if request.form.get("action") == "off":
        calendar_link.revoke(subscriber, utcnow())
    else:
        calendar_link.issue(subscriber, utcnow())
    db.session.commit()
    token = request.view_args["token"]
    return redirect(url_for("manage.manage_page", token=token) + "#calendar", code=303)


def _page(form: ManageForm, subscriber, **flags):
    token = make_token("manage", subscriber.id, subscriber.token_version)
    return render_template(
        "manage.html",
        form=form,
        subscriber=subscriber,
        what_you_get=[preference_words(sub) for sub in subscriber.preferences],
        frequencies=FREQUENCY_LABELS,
        unsubscribe_url=page_for("unsubscribe", subscriber),
        calendar_url=calendar_link.current_url(subscriber),
        calendar_form=url_for("manage.calendar_link_page", token=token),
        data_url=url_for("own_data.data_json", token=token),
        erase_url=url_for("own_data.erase_page", token=token),
        **flags,
    )
