"""Migration 0002 on a database made by the schema before it, with subscribers in it.

Their mail afterwards is what the one-choice-per-subscriber rules sent; the downgrade puts
every choice back where it was.
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from notifier import create_app
from notifier.emails import render
from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber
from notifier.schedules import digests, immediate, reminders
from tests.conftest import PG_BASE
from tests.support.content import at, make_update, outbox, preferences_of
from tests.support.databases import scratch_database

# email, status, frequency, reminders, digested_until, strands: as the old schema held them.
OLD = [
    ("daily@example.org", "confirmed", "daily", True, "2026-03-09 08:00:00", ["rs"]),
    ("instant@example.org", "confirmed", "immediate", False, None, ["fed", "tps"]),
    ("weekly@example.org", "confirmed", "weekly", True, "2026-03-02 08:00:00", ["rs", "fed"]),
    ("pending@example.org", "pending", "daily", True, None, ["rs"]),
    ("norem@example.org", "confirmed", "daily", False, "2026-03-09 08:00:00", ["tps"]),
]
SLUGS = {"rs": "research-statistics", "fed": "fraud-error-debt", "tps": "tailored-public-services"}


def seed_old_schema() -> None:
    """Rows as the code before per-strand preferences wrote them."""
    strand_ids = dict(db.session.execute(text("SELECT slug, id FROM strands")).all())
    for n, (email, status, frequency, wants, until, strands) in enumerate(OLD, start=1):
        db.session.execute(
            text(
                "INSERT INTO subscribers (id, email, status, frequency, reminders, token_version,"
                " created_at, confirmed_at, bounce_score, digested_until) VALUES (:id, :email,"
                " :status, :frequency, :reminders, 1, :created, :confirmed, 0, :until)"
            ),
            {
                "id": n,
                "email": email,
                "status": status,
                "frequency": frequency,
                "reminders": wants,
                "created": datetime(2026, 1, 1, tzinfo=UTC),
                "confirmed": datetime(2026, 1, 2, tzinfo=UTC) if status == "confirmed" else None,
                "until": datetime.fromisoformat(until).replace(tzinfo=UTC) if until else None,
            },
        )
        for short in strands:
            db.session.execute(
                text(
                    "INSERT INTO subscriptions (subscriber_id, strand_id, created_at)"
                    " VALUES (:s, :t, :c)"
                ),
                {"s": n, "t": strand_ids[SLUGS[short]], "c": datetime(2026, 1, 1, tzinfo=UTC)},
            )
        db.session.execute(
            text(
                "INSERT INTO consent_records (subscriber_id, action, created_at, source, strands,"
                " frequency, reminders) VALUES (:s, 'subscribe', :c, 'web form', :strands, :f, :r)"
            ),
            {
                "s": n,
                "c": datetime(2026, 1, 1, tzinfo=UTC),
                "strands": '["' + '", "'.join(SLUGS[short] for short in strands) + '"]',
                "f": frequency,
                "r": wants,
            },
        )
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('subscribers_id_seq', 10)"))
    db.session.commit()


def test_upgrade_keeps_everyones_mail_and_downgrade_restores_their_choices(tmp_path):
    with scratch_database(PG_BASE, tmp_path, "notifier_migration") as url:
        app = create_app({"database_url": url, "secret_key": "t", "instance_path": tmp_path})
        with app.app_context():
            upgrade(revision="0001")
            seed_old_schema()
            db.session.remove()
            upgrade()

            # The schema is exactly what the models describe.
            with db.engine.connect() as conn:
                assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
            people = {s.email: s for s in db.session.query(Subscriber)}
            assert preferences_of(people["weekly@example.org"]) == {
                "research-statistics": ("weekly", True),
                "fraud-error-debt": ("weekly", True),
            }
            assert preferences_of(people["instant@example.org"]) == {
                "fraud-error-debt": ("immediate", False),
                "tailored-public-services": ("immediate", False),
            }
            record = db.session.query(ConsentRecord).filter_by(subscriber_id=3).one()
            assert record.preferences == [
                {"strand": "research-statistics", "frequency": "weekly", "reminders": True},
                {"strand": "fraud-error-debt", "frequency": "weekly", "reminders": True},
            ]

            mail = the_week_of_mail()
            assert mail == {
                "instant@example.org": [
                    "immediate: New update: Debt",
                    "immediate: New update: All",
                ],
                "daily@example.org": ["digest: Your daily digest: 2 updates (Stats, All)"],
                "norem@example.org": ["digest: Your daily digest: 1 update (All)"],
                "weekly@example.org": [
                    "digest: Your weekly digest: 1 update (Old stats)",
                    "reminder: 7 days: Debt",
                    "digest: Your weekly digest: 3 updates (Stats, Debt, All)",
                    "reminder: tomorrow: Debt",
                ],
            }

            db.session.remove()  # the migration waits for no open transaction of ours
            downgrade(revision="0001")
            rows = db.session.execute(
                text(
                    "SELECT email, frequency, reminders, digested_until FROM subscribers"
                    " ORDER BY id"
                )
            ).all()
            assert [(r.email, r.frequency, bool(r.reminders)) for r in rows] == [
                (email, frequency, wants) for email, _, frequency, wants, _, _ in OLD
            ]
            # The cursors the digests just moved come back onto the subscribers.
            assert rows[2].digested_until is not None
            assert db.session.scalar(text("SELECT count(*) FROM subscriptions")) == sum(
                len(strands) for *_, strands in OLD
            )
            consent = db.session.execute(
                text("SELECT frequency, reminders FROM consent_records ORDER BY id")
            ).all()
            assert [(c.frequency, bool(c.reminders)) for c in consent] == [
                (frequency, wants) for _, _, frequency, wants, _, _ in OLD
            ]
            db.session.remove()
            upgrade()
            assert preferences_of(db.session.get(Subscriber, 1)) == {
                "research-statistics": ("daily", True)
            }
            db.session.remove()
            db.engine.dispose()


def the_week_of_mail() -> dict[str, list[str]]:
    """Store a few updates on Monday 9 March 2026 and run the clock's steps to the 16th."""
    make_update("Old stats", "2026-03-09T07:00", ("research-statistics",))
    make_update("Stats", "2026-03-09T12:00", ("research-statistics",))
    make_update("Debt", "2026-03-09T13:00", ("fraud-error-debt",), deadline="2026-03-17T23:59")
    make_update("All", "2026-03-09T14:00")
    immediate.send_new_updates(at("2026-03-09T14:30"))
    for day in range(10, 17):
        moment = at(f"2026-03-{day}T08:30")
        digests.queue_due("daily", moment)
        digests.queue_due("weekly", moment)
        reminders.queue_due(moment)
    mail: dict[str, list[str]] = {}
    for row in outbox():
        email = render(row)
        if row.kind == "digest":
            listed = email.text.split("== Closing soon ==")[0]
            titles = [line for line in listed.splitlines() if line in TITLES]
            line = f"{email.subject.split(' · ')[0]} ({', '.join(titles)})"
        elif row.kind == "reminder":
            when = {7: "7 days", 1: "tomorrow"}[row.payload["offset"]]
            line = f"{when}: {email.subject.split(' close ')[0].removeprefix('Comments on ')}"
        else:
            line = email.subject.split(" · ")[0]
        mail.setdefault(row.to_address, []).append(f"{row.kind}: {line}")
    return mail


TITLES = {"Old stats", "Stats", "Debt", "All"}
