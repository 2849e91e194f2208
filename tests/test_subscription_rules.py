"""The subscription rules with the clock in the test's hands: resend windows, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from notifier.extensions import db
from notifier.subscriptions.choices import Choices, pick_strands
from notifier.subscriptions.confirm import confirm
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.subscribe import request_new_link, subscribe
from notifier.subscriptions.unsubscribe import unsubscribe
from tests.support.content import preferences_of
from tests.support.pages import at, outbox, subscriber

ORIGIN = Origin("192.0.2.7", "pytest", "test")
T0 = at("2026-11-25T09:00:00")


def choices(*slugs, frequency="daily", reminders=True):
    return Choices.same(pick_strands(slugs or ["research-statistics"]), frequency, reminders)


def run(email, when, *slugs, **kw):
    subscribe(email, choices(*slugs, **kw), ORIGIN, when)
    db.session.commit()


def kinds():
    return [(row.kind, row.created_at) for row in outbox()]


def test_pending_address_gets_the_confirmation_again_once_per_ten_minutes(app):
    for minute in range(0, 10):
        run("ada@example.org", T0 + timedelta(minutes=minute, seconds=30))
    assert kinds() == [("confirm", T0 + timedelta(seconds=30))]
    run("ada@example.org", T0 + timedelta(minutes=10, seconds=30))
    run("ada@example.org", T0 + timedelta(minutes=15))
    assert [kind for kind, _ in kinds()] == ["confirm", "confirm"]
    assert subscriber("ada@example.org").confirmation_sent_at == T0 + timedelta(
        minutes=10, seconds=30
    )


def test_pending_resubmit_takes_the_latest_choices(app):
    run("ada@example.org", T0, "research-statistics")
    run("ada@example.org", T0 + timedelta(minutes=1), "fraud-error-debt", frequency="weekly")
    person = subscriber("ada@example.org")
    assert [s.slug for s in person.strands] == ["fraud-error-debt"]
    assert preferences_of(person) == {"fraud-error-debt": ("weekly", True)}


def test_confirmed_address_gets_already_subscribed_once_per_ten_minutes(app):
    run("ada@example.org", T0)
    confirm(subscriber("ada@example.org"), ORIGIN, T0 + timedelta(minutes=1))
    db.session.commit()
    for minute in range(2, 12):
        run("ada@example.org", T0 + timedelta(minutes=minute))
    run("ada@example.org", T0 + timedelta(minutes=12))
    assert [kind for kind, _ in kinds()] == ["confirm", "already_subscribed", "already_subscribed"]
    assert [when for kind, when in kinds() if kind == "already_subscribed"] == [
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=12),
    ]


def test_unsubscribed_address_starts_again_as_pending_with_a_new_confirmation(app):
    run("ada@example.org", T0)
    person = subscriber("ada@example.org")
    confirm(person, ORIGIN, T0)
    unsubscribe(person, ORIGIN, T0 + timedelta(minutes=1))
    db.session.commit()
    run("ada@example.org", T0 + timedelta(minutes=2), "tailored-public-services")
    person = subscriber("ada@example.org")
    assert person.status == "pending" and person.unsubscribed_at is None
    assert [s.slug for s in person.strands] == ["tailored-public-services"]
    assert [kind for kind, _ in kinds() if kind == "confirm"] == ["confirm", "confirm"]


def test_suppressed_address_gets_nothing(app):
    run("ada@example.org", T0)
    subscriber("ada@example.org").status = "suppressed"
    db.session.commit()
    run("ada@example.org", T0 + timedelta(hours=1))
    request_new_link("ada@example.org", T0 + timedelta(hours=2))
    db.session.commit()
    assert len(outbox()) == 1


def test_new_link_follows_the_same_windows_and_ignores_unknown_addresses(app):
    run("ada@example.org", T0)
    request_new_link("ada@example.org", T0 + timedelta(minutes=5))
    request_new_link("nobody@example.org", T0 + timedelta(minutes=5))
    db.session.commit()
    assert len(outbox()) == 1
    request_new_link("ada@example.org", T0 + timedelta(minutes=11))
    db.session.commit()
    assert [row.kind for row in outbox()] == ["confirm", "confirm"]


def test_unsubscribe_cancels_emails_not_yet_picked_up(app):
    run("ada@example.org", T0)
    person = subscriber("ada@example.org")
    version = person.token_version
    unsubscribe(person, ORIGIN, T0 + timedelta(minutes=1))
    db.session.commit()
    assert [(row.status, row.last_error) for row in outbox()] == [("cancelled", "unsubscribed")]
    assert person.token_version == version + 1


def race(app, email, when, requests=20):
    """Submit an address from many threads at once, each in its own session and transaction."""
    barrier = threading.Barrier(requests)
    errors = []

    def attempt(second):
        with app.app_context():
            try:
                barrier.wait()
                subscribe(email, choices(), ORIGIN, when + timedelta(seconds=second))
                db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_submits_for_a_new_address_queue_one_email(app):
    race(app, "race@example.org", T0)
    assert [row.kind for row in outbox()] == ["confirm"]


def test_repeats_with_the_same_choices_add_no_consent_records(app):
    from sqlalchemy import func, select

    from notifier.models import ConsentRecord

    for minute in range(5):
        run("ada@example.org", T0 + timedelta(minutes=minute))
    run("ada@example.org", T0 + timedelta(minutes=6), "fraud-error-debt")
    count = db.session.scalar(select(func.count()).select_from(ConsentRecord))
    assert count == 2


@pytest.mark.parametrize("state", ["pending", "confirmed"])
def test_concurrent_submits_for_a_known_address_queue_one_email_per_window(app, state):
    run("known@example.org", T0)
    if state == "confirmed":
        confirm(subscriber("known@example.org"), ORIGIN, T0)
        db.session.commit()
    later = T0 + timedelta(minutes=30)
    race(app, "known@example.org", later, requests=10)
    late = [row.kind for row in outbox() if row.created_at >= later]
    assert late == ["confirm" if state == "pending" else "already_subscribed"]


def test_coming_back_after_unsubscribing_needs_a_new_confirmation_even_after_a_bounce(app):
    from notifier.bounces.suppression import record_bounce, unsuppress

    run("ada@example.org", T0)
    confirm(subscriber("ada@example.org"), ORIGIN, T0)
    unsubscribe(subscriber("ada@example.org"), ORIGIN, T0 + timedelta(days=1))
    db.session.commit()
    run("ada@example.org", T0 + timedelta(days=30))
    assert subscriber("ada@example.org").confirmed_at is None
    # The confirmation request bounces; an admin lifts the suppression later.
    record_bounce("ada@example.org", "hard", T0 + timedelta(days=30, hours=1), status_code="5.1.1")
    db.session.commit()
    unsuppress("ada@example.org")
    db.session.commit()
    assert subscriber("ada@example.org").status == "pending"
