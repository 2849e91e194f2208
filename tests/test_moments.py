"""One way to read a date and time: the rule in notifier.moments, and every door that uses it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from notifier.admins import create_admin, issue_token
from notifier.extensions import db
from notifier.moments import END_OF_DAY, BadMoment, parse_moment, rfc3339
from tests.support.content import make_update

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2031-06-06T12:00:00Z", datetime(2031, 6, 6, 12, 0, tzinfo=UTC)),
        ("2031-06-06T12:00+02:00", datetime(2031, 6, 6, 10, 0, tzinfo=UTC)),
        # No offset: local to the zone given (London is on BST in June, GMT in January).
        ("2031-06-06T12:00", datetime(2031, 6, 6, 11, 0, tzinfo=UTC)),
        ("2031-01-06 12:00", datetime(2031, 1, 6, 12, 0, tzinfo=UTC)),
        (" 2031-06-06T12:00:30.5 ", datetime(2031, 6, 6, 11, 0, 30, 500000, tzinfo=UTC)),
    ],
)
def test_a_moment_is_read_as_one_utc_instant(text, expected):
    moment = parse_moment(text, LONDON)
    assert moment == expected and moment.tzinfo is UTC


def test_a_bare_date_is_allowed_only_where_asked_for_and_means_that_time_local():
    assert parse_moment("2031-06-06", LONDON, bare_date=END_OF_DAY) == datetime(
        2031, 6, 6, 22, 59, 59, tzinfo=UTC
    )
    assert parse_moment("2031-06-06", UTC) == datetime(2031, 6, 6, tzinfo=UTC)  # midnight


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first of June", "is not an ISO 8601 date and time"),
        ("", "is not an ISO 8601 date and time"),
        ("2031-02-30T10:00", "is not an ISO 8601 date and time"),
        # Off the end of the calendar once in UTC: OverflowError before this module.
        ("9999-12-31T23:00-05:00", "outside the years 0002 to 9998"),
        ("0001-01-01T00:00+01:00", "outside the years 0002 to 9998"),
        # In range in UTC, but no zone could show it or add a reminder's days to it.
        ("9999-12-31T23:59:59Z", "outside the years 0002 to 9998"),
        ("0001-01-01T00:00Z", "outside the years 0002 to 9998"),
    ],
)
def test_what_is_not_a_usable_moment_says_why(text, message):
    with pytest.raises(BadMoment, match=message):
        parse_moment(text, LONDON)
    assert issubclass(BadMoment, ValueError)


def test_the_edges_of_the_range_are_accepted():
    assert parse_moment("0002-01-01T00:00Z", LONDON).year == 2
    assert parse_moment("9998-12-31T23:59:59Z", LONDON).year == 9998


def test_moments_are_written_in_rfc_3339_even_before_standard_time():
    # London kept local mean time, -00:01:15, until 1847: seconds RFC 3339 cannot carry.
    assert rfc3339(datetime(1800, 1, 1, 12, tzinfo=UTC), LONDON) == "1800-01-01T12:00:00+00:00"
    assert rfc3339(datetime(2031, 6, 6, 11, tzinfo=UTC), LONDON) == "2031-06-06T12:00:00+01:00"
    assert rfc3339(datetime(2031, 6, 6, 11, tzinfo=UTC)) == "2031-06-06T11:00:00+00:00"


def test_the_deadline_api_writes_an_old_deadline_in_rfc_3339(make_app):
    app = make_app(timezone="Europe/London")
    with app.app_context():
        create_admin("ops@example.org", "a long enough password 1")
        update = make_update("Consultation", "2031-05-01T09:00", deadline="2031-06-01T12:00")
        token = issue_token("ops@example.org")
        db.session.commit()
        url = f"/api/v1/updates/{update.id}/deadline"
    response = app.test_client().put(
        url, json={"deadline": "1800-01-01T12:00"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.get_json()["deadline"] == "1800-01-01T12:01:15+00:00"
