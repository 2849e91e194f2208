"""POST /api/v1/subscriptions: the form's JSON twin, its errors, and CORS."""

from __future__ import annotations

import pytest

from tests.support.content import preferences_of
from tests.support.pages import outbox, subscriber

URL = "/api/v1/subscriptions"
GOOD = {
    "email": " Ada@Example.org ",
    "strands": ["fraud-error-debt"],
    "frequency": "weekly",
    "reminders": False,
}


def test_valid_body_is_accepted_and_queues_a_confirmation(client):
    response = client.post(URL, json=GOOD)
    assert response.status_code == 202
    assert response.json["status"] == "accepted"
    person = subscriber("ada@example.org")
    assert person.status == "pending"
    assert preferences_of(person) == {"fraud-error-debt": ("weekly", False)}
    assert [s.slug for s in person.strands] == ["fraud-error-debt"]
    assert [row.kind for row in outbox()] == ["confirm"]


def test_same_answer_whatever_the_address_state(client):
    first = client.post(URL, json=GOOD)
    again = client.post(URL, json=GOOD)
    other = client.post(URL, json={**GOOD, "email": "grace@example.org"})
    assert first.status_code == again.status_code == other.status_code == 202
    assert first.get_data() == again.get_data() == other.get_data()
    assert len(outbox()) == 2


@pytest.mark.parametrize(
    ("body", "content_type", "fields"),
    [
        ("email=ada@example.org", "application/x-www-form-urlencoded", None),
        ("{not json", "application/json", None),
        ("[1, 2]", "application/json", None),
        ({**GOOD, "email": 42}, None, {"email"}),
        ({**GOOD, "email": "nope"}, None, {"email"}),
        ({**GOOD, "strands": "fraud-error-debt"}, None, {"strands"}),
        ({**GOOD, "strands": ["astrology"]}, None, {"strands"}),
        ({**GOOD, "strands": []}, None, {"strands"}),
        ({**GOOD, "frequency": "hourly"}, None, {"frequency"}),
        ({**GOOD, "reminders": "yes"}, None, {"reminders"}),
        ({"strands": [1]}, None, {"email", "strands"}),
    ],
)
def test_bad_bodies_get_400_with_field_errors_and_change_nothing(
    client, body, content_type, fields
):
    if content_type:
        response = client.post(URL, data=body, content_type=content_type)
    else:
        response = client.post(URL, json=body)
    assert response.status_code == 400
    assert response.is_json
    if fields is None:
        assert response.json["message"] == "Send a JSON object."
    else:
        assert set(response.json["fields"]) == fields
    assert outbox() == [] and subscriber("ada@example.org") is None


def test_defaults_daily_with_reminders(client):
    assert (
        client.post(
            URL, json={"email": "a@example.org", "strands": ["fraud-error-debt"]}
        ).status_code
        == 202
    )
    person = subscriber("a@example.org")
    assert set(preferences_of(person).values()) == {("daily", True)}


def test_cors_allows_only_configured_origins(make_app):
    app = make_app(cors_origins="https://www.example.gov.uk")
    with app.app_context():
        client = app.test_client()
        preflight = client.options(
            URL,
            headers={
                "Origin": "https://www.example.gov.uk",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Content-Type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://www.example.gov.uk"
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        allowed = client.post(URL, json=GOOD, headers={"Origin": "https://www.example.gov.uk"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.gov.uk"
        other = client.post(URL, json=GOOD, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        assert "Origin" in other.headers["Vary"]


def test_api_is_rate_limited_per_address(make_app):
    app = make_app(subscribe_limit_per_address="2 per hour")
    with app.app_context():
        client = app.test_client()
        codes = [client.post(URL, json=GOOD).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        assert client.post(URL, json=GOOD).is_json


@pytest.mark.parametrize("strand", [{}, [], 7, None])
def test_a_preference_whose_strand_is_not_a_string_is_a_400_naming_it(client, strand):
    # Found by schemathesis: {} as a strand was used as a dictionary key, a 500.
    body = {"email": "ada@example.org", "preferences": [{"strand": strand}]}
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert "preferences[0].strand" in response.get_json()["fields"]
