"""Emails about a subscription itself: the confirmation request and the already-subscribed note."""

from __future__ import annotations

from notifier.emails.templates import render_pair
from notifier.extensions import db
from notifier.mail.message import Email
from notifier.models import Outbox, Subscriber
from notifier.settings import current_settings
from notifier.subscriptions.tokens import link
from notifier.subscriptions.words import preference_words


def _choices(subscriber: Subscriber) -> dict:
    return {"preferences": [preference_words(sub) for sub in subscriber.preferences]}


def confirmation(row: Outbox) -> Email:
    subscriber = db.session.get(Subscriber, row.subscriber_id)
    settings = current_settings()
    text, html = render_pair(
        "confirm",
        site_name=settings.site_name,
        confirm_url=link("confirm", subscriber),
        **_choices(subscriber),
    )
    return Email(
        to=row.to_address,
        subject=f"Confirm your subscription to {settings.site_name}",
        text=text,
        html=html,
    )


def already_subscribed(row: Outbox) -> Email:
    subscriber = db.session.get(Subscriber, row.subscriber_id)
    settings = current_settings()
    unsubscribe_url = link("unsubscribe", subscriber)
    text, html = render_pair(
        "already_subscribed",
        site_name=settings.site_name,
        manage_url=link("manage", subscriber),
        unsubscribe_url=unsubscribe_url,
        **_choices(subscriber),
    )
    return Email(
        to=row.to_address,
        subject=f"You are already subscribed to {settings.site_name}",
        text=text,
        html=html,
        unsubscribe_url=unsubscribe_url,
    )
