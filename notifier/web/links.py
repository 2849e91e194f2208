"""Links between the token pages, and the page a link that does not work gets."""

from __future__ import annotations

from flask import render_template, url_for

from notifier.models import Subscriber
from notifier.subscriptions.tokens import make_token
from notifier.web.forms import NewLinkForm


def page_for(purpose: str, subscriber: Subscriber) -> str:
    """Path of a subscriber's confirm, manage or unsubscribe page, signed for now."""
    token = make_token(purpose, subscriber.id, subscriber.token_version)
    return url_for(f"{purpose}.{purpose}_page", token=token)


def link_problem(reason: str):
    """Answer 400 with a form asking for the address, saying nothing about the subscriber."""
    return render_template("link_problem.html", form=NewLinkForm(), reason=reason), 400
