"""The per-strand rule, end to end: one immediate strand without reminders, one weekly with.

The same subscriber is made three ways (directly, through the manage page, through the API)
and must get exactly the same mail: each update once, at the fastest of its strands.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from notifier.emails import render
from notifier.extensions import db
from notifier.models import utcnow
from notifier.schedules import digests, immediate, reminders
from notifier.subscriptions.confirm import confirm
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.tokens import make_token
from tests.support.content import make_subscriber, make_update, outbox, preferences_of
from tests.support.pages import csrf_token, submit, subscriber

ADA = "ada@example.org"
WANTED = {"fraud-error-debt": ("immediate", False), "research-statistics": ("weekly", True)}


def next_monday() -> datetime:
    """A Monday at least two weeks ahead (UTC midnight), so updates come after confirming."""
    day = (utcnow() + timedelta(days=14)).date()
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(0), tzinfo=UTC)


def by_factory(app, client):
    make_subscriber(ADA, per_strand=WANTED, confirmed=utcnow().isoformat())


def by_manage_page(app, client):
    submit(client, email=ADA, strands=["research-statistics"], frequency="daily")
    confirm(subscriber(ADA), Origin(None, None, "test"), utcnow())
    db.session.commit()
    person = subscriber(ADA)
    url = f"/manage/{make_token('manage', person.id, person.token_version)}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "strands": ["fraud-error-debt", "research-statistics"],
            "frequency-fraud-error-debt": "immediate",
            "reminders-fraud-error-debt": "n",
            "frequency-research-statistics": "weekly",
            "reminders-research-statistics": ["n", "y"],
        },
    )
    assert response.status_code == 200, response.text


def by_api(app, client):
    body = {
        "email": ADA,
        "preferences": [
            {"strand": "fraud-error-debt", "frequency": "immediate", "reminders": False},
            {"strand": "research-statistics", "frequency": "weekly", "reminders": True},
        ],
    }
    assert client.post("/api/v1/subscriptions", json=body).status_code == 202
    confirm(subscriber(ADA), Origin(None, None, "test"), utcnow())
    db.session.commit()


@pytest.mark.parametrize("setup", [by_factory, by_manage_page, by_api])
def test_each_update_once_at_the_fastest_of_its_strands(make_app, setup):
    app = make_app(timezone="UTC")
    with app.app_context():
        client = app.test_client()
        setup(app, client)
        assert preferences_of(subscriber(ADA)) == WANTED
        monday = next_monday()
        wednesday = monday - timedelta(days=5)
        deadline = (monday + timedelta(days=1, hours=23, minutes=59)).isoformat()

        def store(title, *strands, **kw):
            return make_update(title, (wednesday + timedelta(hours=12)).isoformat(), strands, **kw)

        store("Fraud note", "fraud-error-debt")
        store("Stats note", "research-statistics")
        store("Joint note", "fraud-error-debt", "research-statistics")
        store("Everyone note")
        store("Fraud call", "fraud-error-debt", deadline=deadline)
        store("Stats call", "research-statistics", deadline=deadline)

        polled = wednesday + timedelta(hours=12, minutes=15)
        immediate.send_new_updates(polled)
        immediate.send_new_updates(polled + timedelta(hours=1))
        moment = polled
        while moment <= monday + timedelta(days=2):
            for kind in ("daily", "weekly"):
                digests.queue_due(kind, moment)
            reminders.queue_due(moment)
            moment += timedelta(hours=1)

        at_once = sorted(render(row).subject for row in outbox("immediate"))
        assert [subject.split(" · ")[0] for subject in at_once] == [
            "New update: Everyone note",
            "New update: Fraud call",
            "New update: Fraud note",
            "New update: Joint note",
        ]
        (weekly,) = outbox("digest")
        assert weekly.key.startswith(f"digest:weekly:{monday.date().isoformat()}:")
        email = render(weekly)
        assert email.subject.startswith("Your weekly digest: 2 updates · comments on Stats call")
        listed = email.text.split("--\n")[0]
        assert re.findall(r"^(\w+ (?:note|call))\n", listed, re.M) == ["Stats note", "Stats call"]
        # New and closing soon: listed once, with its deadline. The other strand's deadline
        # (no reminders there) is not listed at all.
        assert listed.count("Stats call") == 1 and "Comments close:" in listed
        assert "Closing soon" not in listed and "Fraud call" not in listed
        (reminder,) = outbox("reminder")
        assert render(reminder).subject.startswith("Comments on Stats call close tomorrow")
        assert {row.to_address for row in outbox()} == {ADA}


def test_a_general_deadline_is_reminded_when_any_strand_has_reminders(app):
    make_subscriber("some@example.org", per_strand={"fraud-error-debt": ("daily", True)})
    make_subscriber(
        "none@example.org",
        per_strand={"fraud-error-debt": ("daily", False), "research-statistics": ("weekly", False)},
    )
    make_update("Open call", "2026-03-01T10:00", deadline="2026-03-20T23:59")

    reminders.queue_due(datetime(2026, 3, 19, 8, 0, tzinfo=UTC))

    assert [row.to_address for row in outbox("reminder")] == ["some@example.org"]


def test_a_daily_and_a_weekly_strand_each_get_only_what_they_owe(app):
    make_subscriber(
        "mixed@example.org",
        per_strand={"fraud-error-debt": ("daily", True), "research-statistics": ("weekly", True)},
    )
    make_update("Debt Tuesday", "2026-03-03T12:00", ("fraud-error-debt",))
    make_update("Stats Tuesday", "2026-03-03T12:00", ("research-statistics",))
    make_update("Both Tuesday", "2026-03-03T13:00", ("fraud-error-debt", "research-statistics"))
    make_update("General Tuesday", "2026-03-03T14:00")

    for day in range(4, 10):
        digests.queue_due("daily", datetime(2026, 3, day, 9, 0, tzinfo=UTC))
    digests.queue_due("weekly", datetime(2026, 3, 9, 9, 0, tzinfo=UTC))

    daily = outbox("digest", to="mixed@example.org")[0]
    assert daily.key.startswith("digest:daily:2026-03-04:")
    text = render(daily).text
    assert all(title in text for title in ("Debt Tuesday", "Both Tuesday", "General Tuesday"))
    assert "Stats Tuesday" not in text
    weekly = [row for row in outbox("digest") if row.key.startswith("digest:weekly:")]
    assert [render(row).subject for row in weekly] == [
        "Your weekly digest: 1 update · Stats Tuesday"
    ]
    assert "Stats Tuesday" in render(weekly[0]).text
    assert len(outbox("digest")) == 2
