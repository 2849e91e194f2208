"""Erase me: a subscriber's own data out as JSON, then every trace of the address gone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select, text

from notifier.bounces.suppression import record_bounce
from notifier.delivery.engine import deliver_due
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import AuditEntry, Erasure, utcnow
from notifier.subscriptions.erase import address_hash, erase, is_erased
from notifier.subscriptions.tokens import make_token
from tests.support.pages import csrf_token, submit, subscriber

ADDRESS = "ada.lovelace@example.org"


def deliver(app) -> None:
    backend = from_url(app.config["NOTIFIER"].mail_url)
    try:
        deliver_due(backend, utcnow())
    finally:
        backend.close()


def link(message, path: str) -> str:
    return re.search(rf"http://notifier\.test(/{path}/[^\s\"<]+)", message.text())[1]


def sign_up_and_confirm(app, client, smtp_server, email=ADDRESS) -> None:
    """Through the form and the link in the email, as a person does it."""
    submit(client, email=f"  {email.upper()} ")
    deliver(app)
    confirm = link(smtp_server.to(email)[-1], "confirm")
    client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})


@pytest.fixture
def mailed(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        yield app, app.test_client()


def rows_holding(needle: str) -> list[str]:
    """Every table.column (of the real schema, whoever added it) whose value holds needle."""
    found = []
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            values = db.session.execute(text(f'SELECT "{column["name"]}" FROM "{table}"'))  # noqa: S608
            if any(needle.lower() in str(value).lower() for (value,) in values):
                found.append(f"{table}.{column['name']}")
    return found


def test_my_data_then_erase_leaves_no_trace_but_the_hash(mailed, smtp_server):
    app, client = mailed
    sign_up_and_confirm(app, client, smtp_server)
    person = subscriber(ADDRESS)
    manage = f"/manage/{make_token('manage', person.id, person.token_version)}"
    unsubscribe = f"/unsubscribe/{make_token('unsubscribe', person.id, person.token_version)}"
    confirm = f"/confirm/{make_token('confirm', person.id, person.token_version)}"
    record_bounce(ADDRESS, "soft", utcnow(), diagnostic=f"452 mailbox of <{ADDRESS}> full")
    db.session.add(
        AuditEntry(actor="cli", action="test.note", target=ADDRESS, detail={"a": ADDRESS})
    )
    db.session.commit()

    page = client.get(manage).get_data(as_text=True)
    # The page signs its own links (a timestamp to the second), so follow them as they are.
    data_link = re.search(r'href="(/manage/[^"/]+/data\.json)"', page)[1]
    erase_link = re.search(r'href="(/manage/[^"/]+/erase)"', page)[1]
    response = client.get(data_link)
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["shape"] == "notifier.own-data/1"
    assert (data["address"], data["status"]) == (ADDRESS, "confirmed")
    assert data["preferences"] == [
        {
            "strand": "research-statistics",
            "strand_name": "Research & Statistics",
            "frequency": "daily",
            "reminders": True,
            "since": data["preferences"][0]["since"],
        }
    ]
    assert [record["action"] for record in data["consent_records"]] == ["subscribe", "confirm"]
    assert data["consent_records"][0]["wording"].startswith("Send me the updates")
    [email] = data["emails"]
    assert email["kind"] == "confirm" and email["sent_at"]
    assert email["subject"] == smtp_server.to(ADDRESS)[0].message["Subject"]
    assert [(b["kind"], b["diagnostic"]) for b in data["bounces"]] == [
        ("soft", f"452 mailbox of <{ADDRESS}> full")
    ]
    assert rows_holding(ADDRESS)  # the walk finds the address while it is there

    ask = client.get(erase_link)
    assert ask.status_code == 200 and "Erase my data" in ask.get_data(as_text=True)
    assert subscriber(ADDRESS) is not None  # a GET alone changes nothing
    done = client.post(erase_link, data={"csrf_token": csrf_token(client, erase_link)})
    assert done.status_code == 200 and "Your data has been erased" in done.get_data(as_text=True)

    assert rows_holding(ADDRESS) == []
    assert rows_holding(ADDRESS.split("@")[0]) == []
    assert db.session.scalars(select(Erasure.address_hash)).all() == [address_hash(ADDRESS)]
    for old in (manage, data_link, erase_link, f"{manage}/data.json", unsubscribe, confirm):
        answer = client.get(old)
        assert answer.status_code == 400, old
        assert "This link does not work" in answer.get_data(as_text=True)


def test_an_import_of_an_erased_address_is_refused_and_imports_nothing(app, runner, tmp_path):
    from tests.support.content import make_subscriber

    erase(make_subscriber(ADDRESS), utcnow())
    db.session.commit()
    path = tmp_path / "list.csv"
    path.write_text(
        "email,strands,frequency,reminders,consent_at,consent_source\n"
        "bob@example.org,research-statistics,daily,true,2025-01-01T00:00:00Z,sheet\n"
        f"{ADDRESS.upper()},research-statistics,daily,true,2025-01-01T00:00:00Z,sheet\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code != 0
    assert (
        f"line 3: email: {ADDRESS} was erased at its owner's request; only its owner can add "
        "it back, by subscribing again through the form"
    ) in result.output
    assert "Traceback" not in result.output
    assert subscriber("bob@example.org") is None


def test_its_owner_can_come_back_through_the_form_with_a_fresh_opt_in(mailed, smtp_server):
    app, client = mailed
    sign_up_and_confirm(app, client, smtp_server)
    erase(subscriber(ADDRESS), utcnow())
    db.session.commit()
    assert is_erased(ADDRESS)

    sign_up_and_confirm(app, client, smtp_server)
    back = subscriber(ADDRESS)
    assert back.status == "confirmed"
    assert not is_erased(ADDRESS)  # confirming afresh lifted the hash


def test_an_old_link_does_not_open_a_newcomer_given_the_erased_id(app, client):
    from tests.support.content import make_subscriber

    gone = make_subscriber(ADDRESS)
    old_id = gone.id
    manage = f"/manage/{make_token('manage', gone.id, gone.token_version)}"
    erase(gone, utcnow())
    db.session.commit()
    newcomer = make_subscriber("newcomer@example.org")
    if db.engine.dialect.name == "sqlite":
        assert newcomer.id == old_id  # SQLite hands the id on: the case this test is about
    assert client.get(manage).status_code == 400


def test_an_admin_erases_through_the_api_as_the_subscriber_would(app, client):
    from notifier.admins import create_admin, issue_token
    from tests.support.content import make_subscriber

    create_admin("admin@example.org", "a long enough password")
    token = issue_token("admin@example.org")
    db.session.commit()
    person_id = make_subscriber(ADDRESS, ("research-statistics",)).id
    url = f"/api/v1/subscribers/{person_id}"
    assert client.delete(url).status_code == 401
    assert subscriber(ADDRESS) is not None
    answer = client.delete(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json["erased"] is True
    assert rows_holding(ADDRESS) == [] and is_erased(ADDRESS)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "subscriber.erase")
    ).one()
    assert (entry.actor, entry.target) == ("admin@example.org", f"subscriber {person_id}")
    again = client.delete(url, headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 404 and "No subscriber has the id" in again.json["message"]


def test_someone_who_unsubscribed_can_still_erase_from_the_page_they_land_on(app, client):
    from tests.support.content import make_subscriber

    person = make_subscriber(ADDRESS, ("research-statistics",))
    leave = f"/unsubscribe/{make_token('unsubscribe', person.id, person.token_version)}"
    page = client.post(leave, data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)
    erase_path = re.search(r'href="(/manage/[^"]+/erase)"', page)[1]
    client.post(erase_path, data={"csrf_token": csrf_token(client, erase_path)})
    assert subscriber(ADDRESS) is None and is_erased(ADDRESS)


def test_a_bounce_for_an_email_in_flight_at_the_erase_does_not_bring_the_address_back(app):
    from tests.support.content import make_subscriber

    erase(make_subscriber(ADDRESS), utcnow())
    db.session.commit()
    record_bounce(ADDRESS, "hard", utcnow(), status_code="550", diagnostic="no such user")
    db.session.commit()
    assert rows_holding(ADDRESS) == []
