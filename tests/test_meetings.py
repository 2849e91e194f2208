"""Meetings: spotted in an update's table as proposals, published only when an admin confirms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import select

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.meetings.propose import propose_meetings
from notifier.models import AuditEntry, Meeting, Strand
from tests.support.content import make_update

# The seed (shared/seed/ beside the repository) when it is there; else the copy of its
# "Save the date" section kept in tests/data.
SEEDS = [
    Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_3b4afbbbaed09f81.txt",
    Path("/work/shared/seed/000_3b4afbbbaed09f81.txt"),
]
COPY = Path(__file__).resolve().parent / "data" / "seed-save-the-date.txt"
PASSWORD = "a long admin password"
LONDON_BST = timedelta(hours=1)  # April: British Summer Time


def _seed_meetings_text() -> str:
    """The seed's "Save the date" update as the site's archive page shows it."""
    for seed in SEEDS:
        if seed.exists():
            text = seed.read_text()
            start = text.index("Save the date: Working group meetings")
            section = text[start : text.index("Discussion document published", start)]
            assert section == COPY.read_text()  # the copy is the seed's own words
            return section
    return COPY.read_text()


def _strands():
    return list(db.session.scalars(select(Strand).order_by(Strand.position)))


def _propose(update, now):
    added = propose_meetings(update, _strands(), _tz(), now)
    db.session.commit()
    return added


def _tz():
    from flask import current_app

    return current_app.config["NOTIFIER"].tz


def _seed_update():
    update = make_update(
        "Save the date: Working group meetings",
        "2014-04-01T09:00",
        ("research-statistics", "fraud-error-debt", "tailored-public-services"),
        text=_seed_meetings_text(),
    )
    return update


def test_the_seed_meeting_table_is_proposed_as_five_meetings(app):
    update = _seed_update()
    assert _propose(update, datetime(2014, 4, 1, tzinfo=UTC)) == 5
    rows = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    seen = [
        (
            m.strand.slug,
            m.starts_at + LONDON_BST,
            m.ends_at + LONDON_BST,
            m.registration_url,
            m.status,
        )
        for m in rows
    ]

    def local(day, hour):  # wall-clock time in London, written as UTC plus the offset
        return datetime(2014, 4, day, hour, tzinfo=UTC)

    assert seen == [
        (
            "research-statistics",
            local(23, 10),
            local(23, 12),
            "http://www.eventbrite.co.uk/e/data-sharing-research-statistics-tickets-11250276881",
            "proposed",
        ),
        (
            "fraud-error-debt",
            local(24, 10),
            local(24, 12),
            "http://www.eventbrite.co.uk/e/data-sharing-fraud-error-debt-tickets-11250310983",
            "proposed",
        ),
        (
            "research-statistics",
            local(24, 12),
            local(24, 14),
            "http://www.eventbrite.co.uk/e/data-sharing-research-statistics-tickets-11250314995",
            "proposed",
        ),
        (
            "tailored-public-services",
            local(28, 10),
            local(28, 12),
            "http://www.eventbrite.co.uk/e/data-sharing-tailored-public-services-tickets-11250323019",
            "proposed",
        ),
        (
            "fraud-error-debt",
            local(30, 9),
            local(30, 11),
            "https://www.eventbrite.co.uk/e/data-sharing-fraud-error-debt-tickets-11250333049",
            "proposed",
        ),
    ]
    assert rows[0].title == "Research & Statistics working group: ONS"
    assert rows[2].title == "Research & Statistics working group: De-identified data for research"
    # Read again (the site edited the post): nothing proposed twice.
    assert _propose(update, datetime(2014, 4, 2, tzinfo=UTC)) == 0
    assert db.session.query(Meeting).count() == 5


def test_an_html_table_row_is_proposed_and_a_date_without_a_year_follows_publication(app):
    update = make_update("Save the date", "2031-11-20T09:00", ("fraud-error-debt",))
    update.content_html = (
        "<table><tr><th>Strand</th><th>Date</th><th>Register</th></tr>"
        "<tr><td>Fraud, Error &amp; Debt | Debt</td><td>Tuesday 6 January, 2pm to 4pm</td>"
        '<td><a href="https://tickets.example.org/debt">Register</a></td></tr>'
        "<tr><td>Not a meeting</td><td>Comments by 5 December</td></tr></table>"
    )
    assert _propose(update, datetime(2031, 11, 20, tzinfo=UTC)) == 1
    meeting = db.session.scalar(select(Meeting))
    assert meeting.starts_at == datetime(2032, 1, 6, 14, tzinfo=UTC)  # GMT in January
    assert meeting.ends_at == datetime(2032, 1, 6, 16, tzinfo=UTC)
    assert meeting.registration_url == "https://tickets.example.org/debt"


def _sign_in(client):
    create_admin("ops@example.org", PASSWORD)
    db.session.commit()  # as `notifier admin create` does
    page = client.get("/admin/login").text
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)[1]
    client.post(
        "/admin/login", data={"email": "ops@example.org", "password": PASSWORD, "csrf_token": token}
    )


def _csrf(client, path):
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', client.get(path).text)[1]


def _summaries(client) -> dict[str, object]:
    calendar = Calendar.from_ical(client.get("/calendar.ics").data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_proposals_publish_only_once_an_admin_confirms(app, client):
    update = make_update(
        "Save the date",
        "2031-04-01T09:00",
        ("fraud-error-debt",),
        text="Fraud, Error & Debt | Fraud 24 April, 1000-1200 https://t.example/1",
    )
    _propose(update, datetime(2031, 4, 1, tzinfo=UTC))
    assert "Fraud, Error & Debt working group: Fraud" not in _summaries(client)
    _sign_in(client)
    listing = client.get("/admin/meetings").text
    assert (
        "Spotted in updates" in listing
        and "Fraud, Error &amp; Debt working group: Fraud" in listing
    )
    meeting = db.session.scalar(select(Meeting))
    done = client.post(
        f"/admin/meetings/{meeting.id}/confirm",
        data={"csrf_token": _csrf(client, "/admin/meetings")},
    )
    assert done.status_code == 302
    event = _summaries(client)["Fraud, Error & Debt working group: Fraud"]
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2031, 4, 24, 9, tzinfo=UTC)
    assert str(event["url"]) == "https://t.example/1"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meeting.confirm"))
    # Confirming twice is refused, and changes nothing.
    again = client.post(
        f"/admin/meetings/{meeting.id}/confirm",
        data={"csrf_token": _csrf(client, "/admin/meetings")},
    )
    assert again.status_code == 409


def test_admins_add_edit_and_cancel_meetings(app, client):
    _sign_in(client)
    form = "/admin/meetings/new"
    fields = {
        "csrf_token": _csrf(client, form),
        "strand": "",
        "title": "Plenary",
        "starts": "2031-06-10T14:00",
        "ends": "2031-06-10T13:00",
        "place": "Online",
        "registration_url": "not a link",
    }
    bad = client.post(form, data=fields)
    assert bad.status_code == 400
    assert "The end must be after the start" in bad.text
    assert "Enter a link starting http:// or https://" in bad.text
    assert db.session.query(Meeting).count() == 0
    fields.update(ends="2031-06-10T16:00", registration_url="https://t.example/plenary")
    assert client.post(form, data=fields).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    first = _summaries(client)["Plenary"]
    assert first.decoded("dtstart").astimezone(UTC) == datetime(2031, 6, 10, 13, tzinfo=UTC)
    assert str(first["location"]) == "Online"
    edit = f"/admin/meetings/{meeting.id}"
    assert 'value="2031-06-10T14:00"' in client.get(edit).text
    fields.update(
        csrf_token=_csrf(client, edit),
        starts="2031-06-11T14:00",
        ends="2031-06-11T16:00",
        place="Room 1, 70 Whitehall",
    )
    assert client.post(edit, data=fields).status_code == 302
    moved = _summaries(client)["Plenary"]
    assert str(moved["uid"]) == str(first["uid"])
    assert int(moved["sequence"]) == int(first["sequence"]) + 1
    assert str(moved["location"]) == "Room 1, 70 Whitehall"
    client.post(f"{edit}/cancel", data={"csrf_token": _csrf(client, "/admin/meetings")})
    cancelled = _summaries(client)["Plenary"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) == int(moved["sequence"]) + 1
    assert client.get("/admin/meetings/99999").status_code == 404
