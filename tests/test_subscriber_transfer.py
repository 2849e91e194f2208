"""Moving a list in and out as CSV, as an operator does it."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import ConsentRecord, Outbox, Subscriber
from tests.support.content import preferences_of

HEADER = "email,strands,frequency,reminders,consent_at,consent_source\n"


def write(tmp_path, body: str, name="list.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_rows_with_consent_arrive_confirmed_and_others_are_asked(runner, tmp_path):
    path = write(
        tmp_path,
        " Ada@Example.org ,research-statistics;fraud-error-debt,weekly,false,"
        "2025-06-01T09:30:00+01:00,signup sheet at the June workshop\n"
        "bob@example.org,tailored-public-services,immediate,true,,\n",
    )
    result = runner.invoke(args=["subscribers", "import", path, "--now", "2026-11-25T10:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "1 confirmed, 1 asked to confirm" in result.output
    ada = db.session.scalar(select(Subscriber).where(Subscriber.email == "ada@example.org"))
    assert ada.status == "confirmed"
    assert ada.confirmed_at.isoformat() == "2025-06-01T08:30:00+00:00"
    assert preferences_of(ada) == {
        "fraud-error-debt": ("weekly", False),
        "research-statistics": ("weekly", False),
    }
    evidence = db.session.scalar(select(ConsentRecord).where(ConsentRecord.subscriber_id == ada.id))
    assert evidence.source == "signup sheet at the June workshop"
    bob = db.session.scalar(select(Subscriber).where(Subscriber.email == "bob@example.org"))
    assert bob.status == "pending"
    [email] = db.session.scalars(select(Outbox)).all()
    assert (email.kind, email.to_address) == ("confirm", "bob@example.org")


def test_a_file_with_bad_rows_imports_nothing_and_names_the_lines(runner, tmp_path):
    path = write(
        tmp_path,
        "good@example.org,fraud-error-debt,daily,true,,\n"
        "not-an-address,fraud-error-debt,daily,true,,\n"
        "c@example.org,astrology,daily,true,,\n"
        "d@example.org,fraud-error-debt,hourly,true,,\n"
        "e@example.org,fraud-error-debt,daily,maybe,,\n"
        "f@example.org,fraud-error-debt,daily,true,2020-01-01T00:00:00Z,\n"
        "g@example.org,fraud-error-debt,daily,true,yesterday,form\n"
        "GOOD@example.org,fraud-error-debt,daily,true,,\n",
    )
    result = runner.invoke(args=["subscribers", "import", path])
    assert result.exit_code == 2
    for line, field in [
        (3, "email"),
        (4, "strands"),
        (5, "frequency"),
        (6, "reminders"),
        (7, "consent"),
        (8, "consent_at"),
        (9, "email"),
    ]:
        assert f"line {line}: {field}:" in result.output
    assert "line 2:" not in result.output
    assert count(Subscriber) == 0
    assert count(Outbox) == 0


def test_a_file_with_the_wrong_columns_is_refused(runner, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("address,topics\nada@example.org,fraud\n")
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 2
    assert "missing column 'email'" in result.output
    assert "unknown column 'address'" in result.output
    assert count(Subscriber) == 0


def test_import_leaves_people_who_left_as_they_are(runner, tmp_path):
    db.session.add(Subscriber(email="gone@example.org", status="unsubscribed"))
    db.session.commit()
    path = write(
        tmp_path, "gone@example.org,fraud-error-debt,daily,true,2024-01-01T00:00:00Z,old list\n"
    )
    result = runner.invoke(args=["subscribers", "import", path])
    assert result.exit_code == 0, result.output
    assert "1 left as they were" in result.output
    gone = db.session.scalar(select(Subscriber).where(Subscriber.email == "gone@example.org"))
    assert gone.status == "unsubscribed"
    assert count(Outbox) == 0


def test_export_then_import_elsewhere_keeps_the_list(runner, tmp_path, make_app):
    path = write(
        tmp_path,
        "ada@example.org,research-statistics;fraud-error-debt,weekly,false,"
        "2025-06-01T09:30:00+00:00,workshop sheet\n"
        "bob@example.org,tailored-public-services,immediate,true,,\n",
    )
    assert runner.invoke(args=["subscribers", "import", path]).exit_code == 0
    exported = runner.invoke(args=["subscribers", "export"]).output
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["ada@example.org"] == {
        "email": "ada@example.org",
        "strands": "research-statistics;fraud-error-debt",
        "frequency": "weekly",
        "reminders": "false",
        "consent_at": "2025-06-01T09:30:00+00:00",
        "consent_source": "workshop sheet",
        "status": "confirmed",
        "confirmed_at": "2025-06-01T09:30:00+00:00",
        "consent_ip": "",
    }
    assert rows["bob@example.org"]["status"] == "pending"
    assert rows["bob@example.org"]["consent_at"] == ""

    again = tmp_path / "again.csv"
    again.write_text(exported)
    db.session.execute(Outbox.__table__.delete())
    db.session.execute(ConsentRecord.__table__.delete())
    db.session.execute(Subscriber.__table__.delete())
    db.session.commit()
    assert runner.invoke(args=["subscribers", "import", str(again)]).exit_code == 0
    assert runner.invoke(args=["subscribers", "export"]).output == exported
