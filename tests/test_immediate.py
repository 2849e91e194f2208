"""Immediate sends: one email per new update, to the immediate subscribers it concerns."""

from __future__ import annotations

from notifier.emails import render
from notifier.extensions import db
from notifier.subscriptions.choices import Choices
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.manage import change_preferences
from tests.support.content import at, change, make_subscriber, make_update, outbox, strand


def test_each_new_update_goes_once_to_immediate_subscribers_of_its_strands(app, runner):
    make_subscriber("fast@example.org", ("research-statistics",), frequency="immediate")
    make_subscriber("slow@example.org", ("research-statistics",), frequency="daily")
    make_subscriber("elsewhere@example.org", ("fraud-error-debt",), frequency="immediate")
    make_update("Old news", "2025-12-01T10:00", ("research-statistics",))  # before they joined
    make_update("Feed's first poll", "2026-03-09T09:00", baseline=True)
    stats = make_update("Statistics paper", "2026-03-09T10:00", ("research-statistics",))
    make_update("Everyone", "2026-03-09T10:05")

    first = runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:15"])
    change(stats, "2026-03-09T11:00")  # an edit is not news for immediate subscribers
    again = runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T11:15"])

    assert "immediate: queued 3 emails" in first.output, first.output
    assert "immediate: queued 0 emails" in again.output
    fast = [render(row) for row in outbox("immediate", to="fast@example.org")]
    assert [email.subject for email in fast] == [
        "New update: Statistics paper",
        "New update: Everyone",
    ]
    assert "Research & Statistics" in fast[0].text and fast[0].unsubscribe_url
    assert [render(r).subject for r in outbox("immediate", to="elsewhere@example.org")] == [
        "New update: Everyone"
    ]
    assert outbox(to="slow@example.org") == []


def test_an_update_stored_later_is_sent_on_the_next_poll_only(app, runner):
    make_subscriber("fast@example.org", ("research-statistics",), frequency="immediate")
    runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:00"])
    make_update("Later", "2026-03-09T10:10")

    runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:05"])
    assert outbox("immediate") == []
    runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:15"])
    assert [row.key for row in outbox("immediate")] == ["immediate:1:1"]
    assert outbox("immediate")[0].created_at == at("2026-03-09T10:15")


def test_a_confirmed_row_without_a_confirmation_time_counts_from_its_creation(app, runner):
    imported = make_subscriber("imported@example.org", ("fraud-error-debt",), frequency="immediate")
    imported.confirmed_at, imported.created_at = None, at("2026-03-01T00:00")
    db.session.commit()
    make_update("Before", "2026-02-20T10:00")
    make_update("After", "2026-03-09T10:00")

    runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:15"])

    assert [render(row).subject for row in outbox("immediate")] == ["New update: After"]


def test_switching_from_immediate_to_daily_repeats_nothing(app, runner):
    switcher = make_subscriber("switch@example.org", ("fraud-error-debt",), frequency="immediate")
    make_update("Sent at once", "2026-03-09T10:00")
    runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:15"])
    daily = Choices.same([strand("fraud-error-debt")], "daily", True)
    change_preferences(switcher, daily, Origin(None, None, "test"), at("2026-03-09T10:30"))
    db.session.commit()
    make_update("After the switch", "2026-03-09T11:00")

    runner.invoke(args=["digests", "daily", "--now", "2026-03-10T08:00"])

    (digest,) = [render(row) for row in outbox("digest")]
    assert "After the switch" in digest.text and "Sent at once" not in digest.text
    assert len(outbox("immediate")) == 1


def test_send_immediate_is_the_command_and_digests_immediate_still_works(app, runner):
    make_subscriber("fast@example.org", ("research-statistics",), frequency="immediate")
    make_update("First", "2026-03-09T10:00", ("research-statistics",))

    first = runner.invoke(args=["send", "immediate", "--now", "2026-03-09T10:15"])
    make_update("Second", "2026-03-09T10:20", ("research-statistics",))
    old_spelling = runner.invoke(args=["digests", "immediate", "--now", "2026-03-09T10:30"])
    again = runner.invoke(args=["send", "immediate", "--now", "2026-03-09T10:45"])

    assert "immediate: queued 1 emails" in first.output, first.output
    assert "immediate: queued 1 emails" in old_spelling.output, old_spelling.output
    assert "immediate: queued 0 emails" in again.output
    assert len(outbox("immediate", to="fast@example.org")) == 2
