"""Setting preferences strand by strand: the manage page, the API, CSV, consent, admin pages."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.models import ConsentRecord, Subscriber
from notifier.subscriptions.tokens import make_token
from tests.support.content import make_subscriber, preferences_of
from tests.support.pages import csrf_token, error_summary, subscriber
from tests.test_admin_pages import PASSWORD, sign_in

FED, RS, TPS = "fraud-error-debt", "research-statistics", "tailored-public-services"


@pytest.fixture
def ada(app):
    return make_subscriber("ada@example.org", (RS,))


def manage_url(person) -> str:
    return f"/manage/{make_token('manage', person.id, person.token_version)}"


def post_manage(client, person, **fields):
    url = manage_url(person)
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def test_manage_rows_set_each_strand_and_say_it_in_words(client, ada):
    response = post_manage(
        client,
        ada,
        strands=[FED, RS],
        **{
            f"frequency-{FED}": "immediate",
            f"reminders-{FED}": "n",
            f"frequency-{RS}": "weekly",
            f"reminders-{RS}": ["n", "y"],
        },
    )
    assert response.status_code == 200
    assert preferences_of(subscriber("ada@example.org")) == {
        FED: ("immediate", False),
        RS: ("weekly", True),
    }
    page = response.text
    assert "Research &amp; Statistics: a weekly digest on Mondays at 08:00, with deadline" in page
    assert "Fraud, Error &amp; Debt: every update as it is published, without deadline" in page
    change = db.session.scalars(select(ConsentRecord).where(ConsentRecord.action == "change"))
    assert change.one().preferences == [
        {"strand": RS, "frequency": "weekly", "reminders": True},
        {"strand": FED, "frequency": "immediate", "reminders": False},
    ]


def test_a_plain_choice_fills_in_for_strands_without_their_own(client, ada):
    response = post_manage(
        client,
        ada,
        strands=[FED, RS, TPS],
        frequency="weekly",
        reminders="y",
        **{f"frequency-{FED}": "immediate", f"reminders-{TPS}": "n"},
    )
    assert response.status_code == 200
    assert preferences_of(subscriber("ada@example.org")) == {
        FED: ("immediate", True),
        RS: ("weekly", True),
        TPS: ("weekly", False),
    }


@pytest.mark.parametrize(
    ("fields", "anchor", "beside", "message"),
    [
        (
            {f"frequency-{FED}": "hourly"},
            f"frequency-{FED}-immediate",
            f"frequency-{FED}-error",
            "about Fraud, Error",
        ),
        (
            {f"frequency-{FED}": "daily", f"reminders-{FED}": "maybe"},
            f"reminders-{FED}",
            f"reminders-{FED}-error",
            "y or n",
        ),
        ({}, f"frequency-{RS}-immediate", "frequency-error", "Choose how often"),
    ],
)
def test_a_bad_row_is_named_beside_it_and_nothing_changes(
    client, ada, fields, anchor, beside, message
):
    response = post_manage(client, ada, strands=[FED], **fields)
    assert response.status_code == 400
    [(href, text)] = error_summary(response.text)
    assert href == anchor and message in text
    assert f'class="error-message" id="{beside}"' in response.text
    assert preferences_of(subscriber("ada@example.org")) == {RS: ("daily", True)}


API = "/api/v1/subscriptions"


def test_api_takes_a_preference_per_strand_and_plain_defaults(client):
    body = {
        "email": "bob@example.org",
        "frequency": "weekly",
        "preferences": [
            {"strand": FED, "frequency": "immediate", "reminders": False},
            {"strand": RS},
        ],
    }
    assert client.post(API, json=body).status_code == 202
    assert preferences_of(subscriber("bob@example.org")) == {
        FED: ("immediate", False),
        RS: ("weekly", True),
    }


@pytest.mark.parametrize(
    ("preferences", "extra", "field"),
    [
        ([{"strand": FED}, {"strand": FED, "frequency": "weekly"}], {}, "preferences[1].strand"),
        ([{"strand": "astrology"}], {}, "preferences[0].strand"),
        ([{"strand": FED, "frequency": "hourly"}], {}, "preferences[0].frequency"),
        ([{"strand": FED, "reminders": "yes"}], {}, "preferences[0].reminders"),
        ([], {}, "preferences"),
        (["fraud-error-debt"], {}, "preferences[0]"),
        ([{"strand": FED}], {"strands": [FED]}, "strands"),
    ],
)
def test_api_names_the_field_of_a_bad_preference(client, preferences, extra, field):
    body = {"email": "bob@example.org", "preferences": preferences, **extra}
    response = client.post(API, json=body)
    assert response.status_code == 400
    assert list(response.json["fields"]) == [field]
    assert subscriber("bob@example.org") is None


def test_openapi_describes_per_strand_preferences(client):
    schema = client.get("/api/v1/openapi.json").json["paths"][API]["post"]["requestBody"]
    body = schema["content"]["application/json"]["schema"]
    item = body["properties"]["preferences"]["items"]
    assert set(item["properties"]) == {"strand", "frequency", "reminders"}
    assert "strands" in body["properties"]


HEADER = "email,strands,frequency,reminders,consent_at,consent_source\n"


def test_csv_round_trips_per_strand_preferences_exactly(runner, tmp_path, app):
    first = tmp_path / "first.csv"
    first.write_text(
        HEADER + f"mixed@example.org,{FED};{RS},{FED}=immediate;{RS}=weekly,{FED}=false;{RS}=true,"
        "2025-06-01T09:30:00+00:00,sheet\n"
        + f"plain@example.org,{FED};{TPS},daily,false,2025-06-01T09:30:00+00:00,sheet\n"
    )
    assert runner.invoke(args=["subscribers", "import", str(first)]).exit_code == 0
    exported = runner.invoke(args=["subscribers", "export"]).output
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert (rows["mixed@example.org"]["frequency"], rows["mixed@example.org"]["reminders"]) == (
        f"{RS}=weekly;{FED}=immediate",
        f"{RS}=true;{FED}=false",
    )
    assert (rows["plain@example.org"]["frequency"], rows["plain@example.org"]["reminders"]) == (
        "daily",
        "false",
    )
    again = tmp_path / "again.csv"
    again.write_text(exported)
    for person in db.session.scalars(select(Subscriber)):
        db.session.delete(person)
    db.session.commit()
    assert runner.invoke(args=["subscribers", "import", str(again)]).exit_code == 0
    assert runner.invoke(args=["subscribers", "export"]).output == exported
    mixed = db.session.scalar(select(Subscriber).where(Subscriber.email == "mixed@example.org"))
    assert preferences_of(mixed) == {FED: ("immediate", False), RS: ("weekly", True)}


def test_csv_plain_value_with_per_strand_exceptions(runner, tmp_path, app):
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + f"ada@example.org,{FED};{RS};{TPS},weekly;{FED}=immediate,{TPS}=false,"
        "2025-06-01T09:30:00+00:00,sheet\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 0, result.output
    ada = db.session.scalar(select(Subscriber))
    assert preferences_of(ada) == {
        FED: ("immediate", True),
        RS: ("weekly", True),
        TPS: ("weekly", False),
    }


def test_csv_bad_per_strand_values_name_the_line_and_import_nothing(runner, tmp_path, app):
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER
        + f"a@example.org,{FED},{RS}=weekly,true,,\n"
        + f"b@example.org,{FED};{RS},{FED}=daily;{FED}=weekly,true,,\n"
        + f"c@example.org,{FED},{FED}=hourly,true,,\n"
        + f"d@example.org,{FED},daily;weekly,true,,\n"
        + f"e@example.org,{FED},daily,{FED}=perhaps,,\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 2
    for line, field in [(2, "frequency"), (3, "frequency"), (4, "frequency"), (5, "frequency")]:
        assert f"line {line}: {field}:" in result.output
    assert "line 6: reminders:" in result.output
    assert db.session.scalar(select(Subscriber)) is None


def test_admin_page_shows_per_strand_preferences_and_consent(client, ada):
    rows = {f"frequency-{FED}": "immediate", f"frequency-{RS}": "weekly"}
    post_manage(client, ada, strands=[FED, RS], **rows)
    create_admin("ops@example.org", PASSWORD)
    db.session.commit()
    sign_in(client)
    page = client.get("/admin/subscribers?q=ada").text
    assert "Fraud, Error &amp; Debt: immediate, no reminders" in page
    assert "Research &amp; Statistics: weekly, no reminders" in page
    assert "<strong>change</strong>" in page and "manage page" in page
    assert "Fraud, Error &amp; Debt immediate, no reminders" in page
