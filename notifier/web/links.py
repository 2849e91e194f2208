"""Links between the token pages, and the page a link that does not work gets."""

from __future__ import annotations

import functools

from flask import render_template, url_for

from notifier.models import Subscriber
from notifier.subscriptions.tokens import TokenError, make_token, subscriber_for
from notifier.web.forms import NewLinkForm


def page_for(purpose: str, subscriber: Subscriber) -> str:
    """Path of a subscriber's confirm, manage or unsubscribe page, signed for now."""
    token = make_token(purpose, subscriber.id, subscriber.token_version)
    return url_for(f"{purpose}.{purpose}_page", token=token)


def link_problem(reason: str):
    """Answer 400 with a form asking for the address, saying nothing about the subscriber."""
    return render_template("link_problem.html", form=NewLinkForm(), reason=reason), 400


def token_view(purpose: str, lookup=None):
    """Turn view(token) into view(subscriber); a link that does not work gets link_problem.

    lookup(token) finds the subscriber; by default, a current token for this purpose.
    """
    find = lookup or functools.partial(subscriber_for, purpose)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(token: str):
            try:
                subscriber = find(token)
            except TokenError as exc:
                return link_problem(exc.reason)
            return view(subscriber)

        return wrapper

    return decorate
