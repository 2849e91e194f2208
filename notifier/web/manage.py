"""Manage preferences from a link in any email: strands, frequency, reminders, or leave."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from notifier.extensions import db
from notifier.models import utcnow
from notifier.subscriptions.manage import change_preferences
from notifier.web.forms import PreferencesForm
from notifier.web.links import link_problem, page_for, token_view
from notifier.web.visitor import origin

bp = Blueprint("manage", __name__)


@bp.route("/manage/<token>", methods=["GET", "POST"])
@token_view("manage")
def manage_page(subscriber):
    if subscriber.status not in ("pending", "confirmed"):
        return link_problem("replayed")
    if request.method == "GET":
        form = PreferencesForm(
            formdata=None,
            strands=[strand.slug for strand in subscriber.strands],
            frequency=subscriber.frequency,
            reminders=subscriber.reminders,
        )
        return _page(form, subscriber)
    form = PreferencesForm()
    if not form.validate():
        return _page(form, subscriber), 400
    changed = change_preferences(subscriber, form.choices, origin("manage page"), utcnow())
    db.session.commit()
    return _page(form, subscriber, saved=True, changed=changed)


def _page(form: PreferencesForm, subscriber, **flags):
    return render_template(
        "manage.html",
        form=form,
        subscriber=subscriber,
        unsubscribe_url=page_for("unsubscribe", subscriber),
        **flags,
    )
