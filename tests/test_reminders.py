"""Comment-deadline reminders: 7 and 1 days before at the daily time, once, and moved deadlines."""

from __future__ import annotations

from datetime import timedelta

from notifier.emails import render
from notifier.extensions import db
from notifier.schedules import reminders
from tests.support.content import at, make_subscriber, make_update, outbox


def tick(start: str, end: str, minutes: int = 60) -> None:
    now, stop = at(start), at(end)
    while now <= stop:
        reminders.queue_due(now)
        reminders.notify_moved(now)
        now += timedelta(minutes=minutes)


def sent(kind: str, email: str) -> list[tuple[str, str]]:
    return [(row.key.split(":")[3], row.created_at.isoformat()) for row in outbox(kind, to=email)]


def test_reminders_seven_and_one_day_before_to_who_wants_them(app):
    make_update(
        "Draft code of practice on data sharing",
        "2026-03-01T10:00",
        ("fraud-error-debt",),
        deadline="2026-03-20T23:59",
    )
    make_subscriber("keen@example.org", ("fraud-error-debt",), frequency="weekly")
    make_subscriber("other@example.org", ("research-statistics",))
    make_subscriber("no-thanks@example.org", ("fraud-error-debt",), reminders=False)

    tick("2026-03-10T00:00", "2026-03-22T00:00")

    assert sent("reminder", "keen@example.org") == [
        ("d7", "2026-03-13T08:00:00+00:00"),
        ("d1", "2026-03-19T08:00:00+00:00"),
    ]
    assert outbox("reminder", to="other@example.org") == []
    assert outbox("reminder", to="no-thanks@example.org") == []
    week, day = (render(row) for row in outbox("reminder", to="keen@example.org"))
    assert week.subject == (
        "Comments on Draft code of practice on data sharing close in 7 days: "
        "Friday 20 March 2026, 23:59 GMT"
    )
    assert day.subject.endswith("close tomorrow: Friday 20 March 2026, 23:59 GMT")
    assert week.unsubscribe_url and "/manage/" in week.text


def test_general_deadlines_remind_everyone_in_local_summer_time(app):
    make_update("Open call", "2026-06-01T10:00", deadline="2026-06-30T16:00")
    make_subscriber("a@example.org", ("research-statistics",))
    make_subscriber("b@example.org", ("tailored-public-services",), frequency="immediate")

    tick("2026-06-29T06:00", "2026-06-29T08:00")

    for address in ("a@example.org", "b@example.org"):
        (row,) = outbox("reminder", to=address)
        # 08:00 BST is 07:00 UTC; the deadline reads in local time.
        assert row.created_at == at("2026-06-29T07:00")
        assert render(row).subject.endswith("close tomorrow: Tuesday 30 June 2026, 17:00 BST")


def test_no_reminder_after_the_deadline_even_when_catching_up(app):
    make_update("Short call", "2026-03-01T10:00", deadline="2026-03-10T12:00")
    make_update("Cancelled call", "2026-03-01T10:00", deadline="2026-03-20T12:00")
    make_subscriber("r@example.org", ("research-statistics",))
    from notifier.models import Deadline

    db.session.get(Deadline, 2).cancelled = True
    db.session.commit()
    reminders.queue_due(at("2026-03-08T08:00"))

    # Down until after the deadline: the 1-day reminder time (9 March) was missed.
    tick("2026-03-10T13:00", "2026-03-21T00:00", minutes=240)

    assert outbox("reminder") == []


def test_a_moved_deadline_tells_who_was_reminded_and_replans(app):
    paper = make_update(
        "Tailored services paper",
        "2026-03-01T10:00",
        ("tailored-public-services",),
        deadline="2026-03-20T23:59",
    )
    make_subscriber("early@example.org", ("tailored-public-services",))
    tick("2026-03-12T00:00", "2026-03-14T00:00")
    make_subscriber("later@example.org", ("tailored-public-services",), confirmed="2026-03-14")

    # The site extends the deadline by a week: the feed code moves it and bumps its version.
    deadline = paper.deadline
    deadline.previous_at, deadline.at, deadline.version = deadline.at, at("2026-03-27T23:59"), 2
    db.session.commit()
    tick("2026-03-14T00:00", "2026-03-29T00:00")

    assert sent("reminder", "early@example.org") == [
        ("d7", "2026-03-13T08:00:00+00:00"),
        ("d7", "2026-03-20T08:00:00+00:00"),
        ("d1", "2026-03-26T08:00:00+00:00"),
    ]
    assert [row.key for row in outbox("reminder", to="early@example.org")][1].startswith(
        "reminder:1:v2:"
    )
    assert len(outbox("reminder", to="later@example.org")) == 2
    (moved,) = outbox("deadline_moved", to="early@example.org")
    assert moved.created_at == at("2026-03-14T00:00")
    assert outbox("deadline_moved", to="later@example.org") == []
    email = render(moved)
    assert email.subject == (
        "Deadline moved: comments on Tailored services paper now close "
        "Friday 27 March 2026, 23:59 GMT"
    )
    assert "The deadline was Friday 20 March, 11:59pm; now Friday 27 March, 11:59pm." in email.text
