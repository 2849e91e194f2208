"""Daily and weekly digests, driven through time with --now and service calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from notifier.emails import render
from notifier.extensions import db
from notifier.models import ScheduledRun
from notifier.schedules import digests, fanout
from tests.support.content import at, change, make_subscriber, make_update, outbox


def digest_of(email: str):
    rows = outbox("digest", to=email)
    return [render(row) for row in rows]


def tick(kind: str, start: str, end: str, minutes: int = 10) -> None:
    """Call the clock's due-check every few minutes, as the scheduler does."""
    now, stop = at(start), at(end)
    while now <= stop:
        digests.queue_due(kind, now)
        now += timedelta(minutes=minutes)


def test_confirming_after_an_update_never_brings_it_in_a_digest(app, runner):
    make_update("Before you joined", "2026-03-09T09:00", ("research-statistics",))
    make_subscriber("late@example.org", ("research-statistics",), confirmed="2026-03-09T10:00")
    make_update("After you joined", "2026-03-09T11:00", ("research-statistics",))

    result = runner.invoke(args=["digests", "daily", "--now", "2026-03-10T09:00"])
    assert "daily digest 2026-03-10: queued 1 emails" in result.output, result.output
    runner.invoke(args=["digests", "daily", "--now", "2026-03-11T09:00"])

    (email,) = digest_of("late@example.org")
    assert "After you joined" in email.text
    assert "Before you joined" not in email.text + email.html


def test_no_empty_digests_and_a_rerun_queues_nothing(app, runner):
    make_subscriber("quiet@example.org", ("fraud-error-debt",))
    make_subscriber("busy@example.org", ("research-statistics",))
    make_update("Statistics note", "2026-03-09T12:00", ("research-statistics",))

    first = runner.invoke(args=["digests", "daily", "--now", "2026-03-10T08:00"])
    again = runner.invoke(args=["digests", "daily", "--now", "2026-03-10T08:30"])

    assert "queued 1 emails" in first.output
    assert "nothing due" in again.output
    assert outbox("digest", to="quiet@example.org") == []
    assert len(outbox("digest", to="busy@example.org")) == 1


def test_an_update_in_two_of_my_strands_appears_once_grouped_by_strand(app):
    make_subscriber("both@example.org", ("research-statistics", "fraud-error-debt"))
    make_update("Shared paper", "2026-03-09T12:00", ("research-statistics", "fraud-error-debt"))
    make_update("Debt only", "2026-03-09T13:00", ("fraud-error-debt",))
    make_update("For everyone", "2026-03-09T14:00")
    make_update(
        "Closing paper",
        "2026-03-09T15:00",
        ("tailored-public-services",),
        deadline="2026-03-12T23:59",
    )
    make_update("Open call", "2026-03-01T09:00", baseline=True, deadline="2026-03-14T17:00")

    digests.queue_due("daily", at("2026-03-10T08:00"))

    (email,) = digest_of("both@example.org")
    # The subject says what is inside: how many, and the soonest deadline it mentions.
    assert email.subject == "Your daily digest: 3 updates · comments on Open call close Saturday"
    assert email.text.count("Shared paper") == 1
    assert email.html.count("Shared paper") == 1
    research, fraud, general, closing = (
        email.text.index(name)
        for name in ("== Research & Statistics", "== Fraud, Error & Debt", "== General", "Closing")
    )
    assert research < email.text.index("Shared paper") < fraud < email.text.index("Debt only")
    assert general < email.text.index("For everyone") < closing
    # Closing soon lists general deadlines and those in my strands, in local time.
    assert "Open call\nComments close: Saturday 14 March 2026, 17:00 GMT (closes in 4 days)" in (
        email.text
    )
    assert "Closing paper" not in email.text
    assert email.unsubscribe_url and email.unsubscribe_url in email.text
    assert "/manage/" in email.text and "/manage/" in email.html


def test_a_changed_update_appears_once_marked_updated(app):
    make_subscriber("reader@example.org", ("research-statistics",))
    paper = make_update("Draft code", "2026-03-09T12:00", ("research-statistics",))
    digests.queue_due("daily", at("2026-03-10T08:00"))
    change(paper, "2026-03-10T12:00")
    change(paper, "2026-03-10T13:00")
    fresh = make_update("Brand new", "2026-03-10T14:00", ("research-statistics",))
    change(fresh, "2026-03-10T15:00")  # new and edited in the same window: just new

    digests.queue_due("daily", at("2026-03-11T08:00"))

    first, second = digest_of("reader@example.org")
    assert "Draft code\n" in first.text
    assert second.text.count("Draft code") == 1
    assert "Draft code (updated)" in second.text
    assert "Brand new\n" in second.text and "Brand new (updated)" not in second.text


def test_weekly_subscribers_get_the_week_on_monday(app, runner):
    make_subscriber("weekly@example.org", ("research-statistics",), frequency="weekly")
    make_subscriber("daily@example.org", ("research-statistics",))
    for day in range(3, 8):
        make_update(f"Note {day}", f"2026-03-0{day}T12:00", ("research-statistics",))

    runner.invoke(args=["digests", "weekly", "--now", "2026-03-08T12:00"])
    assert outbox("digest", to="weekly@example.org") == []
    result = runner.invoke(args=["digests", "weekly", "--now", "2026-03-09T08:05"])

    assert "weekly digest 2026-03-09: queued 1 emails" in result.output
    (email,) = digest_of("weekly@example.org")
    assert email.subject == "Your weekly digest: 5 updates · Note 3 and 4 more"
    assert outbox("digest", to="daily@example.org") == []


@pytest.mark.parametrize(
    ("daily_at", "days", "ends"),
    [
        (
            "08:00",
            ("2026-03-28", "2026-03-29", "2026-03-30"),
            ("2026-03-28T08:00", "2026-03-29T07:00", "2026-03-30T07:00"),
        ),
        (
            "01:30",  # doubled on 25 October: the first one counts
            ("2026-10-24", "2026-10-25", "2026-10-26"),
            ("2026-10-24T00:30", "2026-10-25T00:30", "2026-10-26T01:30"),
        ),
        (
            "01:30",  # skipped on 29 March: fires when the clocks jump past it
            ("2026-03-28", "2026-03-29", "2026-03-30"),
            ("2026-03-28T01:30", "2026-03-29T01:30", "2026-03-30T00:30"),
        ),
    ],
)
def test_daily_digest_fires_once_on_each_dst_switch_day(make_app, daily_at, days, ends):
    app = make_app(daily_at=daily_at)
    with app.app_context():
        make_subscriber("dst@example.org", ("research-statistics",), confirmed="2026-03-01T00:00")
        for day in days:
            make_update(f"News of {day}", f"{day}T00:05", ("research-statistics",))

        # From just after the first day's instant to the end of the last day, every 5 minutes.
        tick("daily", ends[0], f"{days[-1]}T23:55", minutes=5)

        runs = db.session.scalars(select(ScheduledRun).order_by(ScheduledRun.period_end)).all()
        assert [(run.period_key, run.period_end) for run in runs] == [
            (day, at(end)) for day, end in zip(days, ends, strict=True)
        ]
        emails = outbox("digest", to="dst@example.org")
        assert [row.key.split(":")[2] for row in emails] == list(days)
        assert [render(row).text.count("News of") for row in emails] == [1, 1, 1]


def test_a_run_killed_half_way_is_completed_once_by_the_next_run(app, monkeypatch):
    people = [make_subscriber(f"p{n}@example.org", ("research-statistics",)) for n in range(5)]
    make_update("Paper", "2026-03-09T12:00", ("research-statistics",))
    monkeypatch.setattr(fanout, "BATCH", 2)
    real_batch, calls = digests._batch, []

    def dies_on_second_batch(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("scheduler killed")
        return real_batch(*args)

    monkeypatch.setattr(digests, "_batch", dies_on_second_batch)
    with pytest.raises(RuntimeError):
        digests.queue_due("daily", at("2026-03-10T08:00"))
    db.session.rollback()
    assert len(outbox("digest")) == 2
    assert db.session.scalar(select(ScheduledRun.finished_at)) is None

    monkeypatch.setattr(digests, "_batch", real_batch)
    digests.queue_due("daily", at("2026-03-10T08:01"))
    digests.queue_due("daily", at("2026-03-10T08:02"))

    assert sorted(row.to_address for row in outbox("digest")) == sorted(p.email for p in people)
    run = db.session.scalar(select(ScheduledRun))
    assert run.finished_at is not None and run.emails_queued == 5
    assert all("Paper" in render(row).text for row in outbox("digest"))


def test_three_days_down_gives_one_catch_up_digest_per_period(app, runner):
    make_subscriber("d@example.org", ("research-statistics",))
    make_subscriber("w@example.org", ("research-statistics",), frequency="weekly")
    make_update("Friday", "2026-03-06T12:00", ("research-statistics",))
    tick("daily", "2026-03-06T00:00", "2026-03-07T09:00", minutes=60)
    tick("weekly", "2026-03-06T00:00", "2026-03-07T09:00", minutes=60)
    for day in ("07T12:00", "08T12:00", "09T12:00", "10T07:00"):
        make_update(f"Down {day}", f"2026-03-{day}", ("research-statistics",))

    # Down from Saturday 09:00 to Tuesday 09:00: three daily and one weekly period missed.
    for kind in ("daily", "weekly"):
        runner.invoke(args=["digests", kind, "--now", "2026-03-10T09:00"])
    tick("daily", "2026-03-10T09:10", "2026-03-10T23:00")
    tick("weekly", "2026-03-10T09:10", "2026-03-10T23:00")

    daily = digest_of("d@example.org")
    assert [row.key.split(":")[2] for row in outbox("digest", to="d@example.org")] == [
        "2026-03-07",
        "2026-03-10",
    ]
    catch_up = daily[1].text
    assert all(f"Down {day}" in catch_up for day in ("07T12:00", "08T12:00", "09T12:00"))
    assert "Down 10T07:00" in catch_up and "Friday" not in catch_up
    (weekly,) = digest_of("w@example.org")
    assert outbox("digest", to="w@example.org")[0].key.startswith("digest:weekly:2026-03-09:")
    assert "Friday" in weekly.text and "Down 09T12:00" not in weekly.text


def test_rendering_a_digest_costs_the_same_queries_for_one_update_or_twelve(app):
    from sqlalchemy import event

    make_subscriber("one@example.org", ("research-statistics",), confirmed="2026-03-09T10:50")
    make_subscriber("many@example.org", ("research-statistics", "fraud-error-debt"))
    for n in range(12):
        strands = ("research-statistics",) if n % 2 else ("fraud-error-debt",)
        make_update(f"Paper {n}", f"2026-03-09T{n:02}:40", strands, deadline="2026-03-14T12:00")
    digests.queue_due("daily", at("2026-03-10T08:00"))
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def queries(email: str) -> int:
        (row,) = outbox("digest", to=email)
        db.session.expire_all()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            text = render(row).text
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements), text.count("Paper ")

    (few, one), (many, twelve) = queries("one@example.org"), queries("many@example.org")
    # Each paper once: listed with its deadline, or else in "closing soon" (their strands').
    assert (one, twelve) == (1 + 5, 12 + 0)
    assert few == many
