"""Retention: housekeeping forgets what is past its period, in batches, and keeps consent."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import event, func, select

from notifier.extensions import db
from notifier.models import Bounce, ConsentRecord, Outbox, Subscriber
from notifier.subscriptions import consent
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.erase import is_erased
from tests.support.content import at, make_subscriber

NOW = at("2026-12-01T09:00")


def days_ago(days: int):
    return NOW - timedelta(days=days)


def email(key: str, status: str, age: int, to: str = "someone@example.org") -> Outbox:
    return Outbox(key=key, kind="digest", to_address=to, status=status, created_at=days_ago(age))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def statements(engine, table: str) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _keep(conn, cursor, statement, *args):
        if statement.startswith("DELETE FROM " + table):  # noqa: S608 - a test matching SQL
            seen.append(statement)

    return seen


def test_housekeeping_purges_in_batches_keeps_consent_and_says_what_it_did(make_app):
    app = make_app(housekeeping_batch_size=2)
    with app.app_context():
        origin = Origin("203.0.113.7", "test", "web form")
        live = make_subscriber("live@example.org", ("research-statistics",), confirmed="2024-01-01")
        consent.record(live, "confirm", origin, days_ago(700))
        waiting = Subscriber(email="waiting@example.org", status="pending", created_at=days_ago(31))
        fresh = Subscriber(email="fresh@example.org", status="pending", created_at=days_ago(3))
        left_long_ago = Subscriber(
            email="gone@example.org", status="unsubscribed", unsubscribed_at=days_ago(400)
        )
        left_lately = Subscriber(
            email="lately@example.org", status="unsubscribed", unsubscribed_at=days_ago(20)
        )
        db.session.add_all([waiting, fresh, left_long_ago, left_lately])
        db.session.flush()
        consent.record(waiting, "subscribe", origin, days_ago(31))
        db.session.add_all([email(f"old-{n}", "sent", 91) for n in range(5)])
        db.session.add_all(
            [
                email("recent", "sent", 10, to="live@example.org"),
                email("old-but-queued", "queued", 91),
                email("waiting-confirm", "sent", 31, to="waiting@example.org"),
                Bounce(email="someone@example.org", kind="soft", received_at=days_ago(100)),
                Bounce(email="live@example.org", kind="soft", received_at=days_ago(5)),
            ]
        )
        db.session.commit()
        deletes = statements(db.engine, "outbox")

        result = app.test_cli_runner().invoke(args=["housekeeping", "--now", NOW.isoformat()])

        assert result.exit_code == 0, result.output
        assert result.output.strip() == (
            "housekeeping: deleted 5 finished emails, 0 audit entries and 1 bounce records past "
            "retention; forgot 1 sign-ups never confirmed; reduced 1 unsubscribed addresses to "
            "their hash"
        )
        assert len(deletes) == 3  # five rows, two at a time
        db.session.expire_all()
        keys = set(db.session.scalars(select(Outbox.key)))
        assert {"recent", "old-but-queued"} <= keys and not any(
            k.startswith("old-") for k in keys if k != "old-but-queued"
        )
        assert count(Outbox, Outbox.to_address == "waiting@example.org") == 0
        emails_left = {s.email for s in db.session.scalars(select(Subscriber))}
        assert emails_left == {"live@example.org", "fresh@example.org", "lately@example.org"}
        assert not is_erased("waiting@example.org")  # never confirmed: forgotten, no hash
        assert is_erased("gone@example.org")  # left long ago: only the hash is left
        assert count(ConsentRecord, ConsentRecord.subscriber_id == live.id) == 1
        assert count(Bounce) == 1

        again = app.test_cli_runner().invoke(
            args=["housekeeping", "--now", NOW.isoformat(), "--json"]
        )
        assert json.loads(again.output) == {
            "emails": 0,
            "audit_entries": 0,
            "bounces": 0,
            "never_confirmed": 0,
            "unsubscribed": 0,
        }


def test_a_retention_setting_out_of_range_is_named(make_app):
    import pytest

    from notifier.settings import ConfigError

    with pytest.raises(ConfigError, match="NOTIFIER_RETENTION_DAYS must be 1 or more, got 0"):
        make_app(retention_days=0)
