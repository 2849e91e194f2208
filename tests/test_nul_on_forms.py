"""A NUL character typed or pasted into a page's form: an error beside that field, not a 400 page.

The form comes back with the visitor's other input kept, and nothing changes. Run on
PostgreSQL too (NOTIFIER_TEST_DATABASE_URL), which cannot store a NUL and answers a 500.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import (
    Announcement,
    AuditEntry,
    ConsentRecord,
    Meeting,
    Outbox,
    Subscriber,
    Update,
)
from notifier.subscriptions.tokens import make_token
from tests.support.admin import csrf_from, make_admin, sign_in
from tests.support.content import at, make_subscriber, make_update, preferences_of
from tests.support.pages import error_summary, submit, subscriber

FED, RS = "fraud-error-debt", "research-statistics"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_error(html: str, field_id: str) -> str:
    """The text of the error message shown beside a field."""
    found = re.search(rf'<span class="error-message" id="{field_id}-error">(.*?)</span>\s*<', html)
    assert found, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", found[1]).strip()


def checked(html: str, field_id: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html, re.S)[0]
    return " checked" in tag


def test_a_nul_in_the_subscribe_form_is_an_error_beside_the_email_field(client):
    response = submit(client, email="ada\x00@example.org", strands=[FED], frequency="weekly")
    assert response.status_code == 400
    html = response.text
    message = "Email address must not contain the NUL character (it is invisible)"
    assert field_error(html, "email") == f"Error: {message}"
    assert error_summary(html) == [("email", message)]
    assert '<form method="post" action="/subscribe"' in html
    assert 'value="ada@example.org"' in html  # shown without the NUL, to send again
    assert checked(html, f"strands-{FED}") and not checked(html, f"strands-{RS}")
    assert checked(html, "frequency-weekly") and checked(html, "reminders")
    assert count(Subscriber) == count(ConsentRecord) == count(Outbox) == 0


def test_a_nul_in_a_strand_of_the_subscribe_form_is_an_error_beside_the_strands(client):
    response = submit(client, email="ada@example.org", strands=[f"{FED}\x00"])
    assert response.status_code == 400
    assert field_error(response.text, "strands") == (
        "Error: Strands must not contain the NUL character (it is invisible)"
    )
    assert 'value="ada@example.org"' in response.text
    assert count(Subscriber) == count(Outbox) == 0


def test_a_nul_on_the_new_link_form_is_an_error_beside_the_email_field(client):
    token = csrf_from(client.get("/").text)
    response = client.post("/new-link", data={"email": "ada@\x00example.org", "csrf_token": token})
    assert response.status_code == 400
    assert field_error(response.text, "email").startswith("Error: Email address must not")
    assert count(Outbox) == 0


def test_a_nul_on_the_manage_page_is_an_error_beside_its_field_and_changes_nothing(client):
    person = make_subscriber("ada@example.org", (RS,))
    url = f"/manage/{make_token('manage', person.id, person.token_version)}"
    fields = {
        "csrf_token": csrf_from(client.get(url).text),
        "strands": [RS, FED],
        f"frequency-{RS}": "weekly\x00",
        f"reminders-{RS}": ["n", "y"],
        f"frequency-{FED}": "immediate",
        f"reminders-{FED}": "n",
    }
    response = client.post(url, data=fields)
    assert response.status_code == 400
    html = response.text
    message = "How often for Research &amp; Statistics must not contain the NUL character"
    assert field_error(html, f"frequency-{RS}").startswith(f"Error: {message}")
    assert error_summary(html)[0][0] == f"frequency-{RS}-immediate"
    # What was sent is on the page again, the NUL'd choice without its NUL.
    assert checked(html, f"strands-{FED}") and checked(html, f"strands-{RS}")
    assert checked(html, f"frequency-{RS}-weekly") and checked(html, f"reminders-{RS}")
    assert checked(html, f"frequency-{FED}-immediate") and not checked(html, f"reminders-{FED}")
    assert preferences_of(subscriber("ada@example.org")) == {RS: ("daily", True)}
    changes = select(ConsentRecord).where(ConsentRecord.action == "change")
    assert db.session.scalars(changes).all() == []


def test_a_nul_on_the_sign_in_form_is_an_error_beside_the_field(client):
    make_admin()
    token = csrf_from(client.get("/admin/login").text)
    data = {"email": "ops@example.org\x00", "password": "x", "csrf_token": token}
    response = client.post("/admin/login", data=data)
    assert response.status_code == 400
    assert field_error(response.text, "email").startswith("Error: Email address must not")
    assert 'value="ops@example.org"' in response.text
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "admin.login")
    ).all()


def test_a_nul_in_an_announcement_is_an_error_beside_the_field_and_saves_nothing(client):
    make_admin()
    sign_in(client)
    token = csrf_from(client.get("/admin/announcements/new").text)
    data = {"subject": "Hello\x00 all", "body": "Text kept.", "csrf_token": token}
    response = client.post("/admin/announcements/new", data=data)
    assert response.status_code == 400
    assert field_error(response.text, "subject") == (
        "Error: Subject must not contain the NUL character (it is invisible)"
    )
    assert 'value="Hello all"' in response.text and ">Text kept.</textarea>" in response.text
    assert count(Announcement) == 0


@pytest.mark.parametrize(
    ("path", "fields", "field_id", "label"),
    [
        (
            "/admin/updates/{id}/deadline",
            {"deadline": "2031-06-01T12:00\x00"},
            "deadline",
            "Deadline",
        ),
        ("/admin/updates/{id}/strands", {"strands": [f"{FED}\x00"]}, "strands", "Strands"),
        (
            "/admin/meetings/new",
            {
                "title": "Working\x00 group",
                "starts": "2031-06-01T10:00",
                "ends": "2031-06-01T11:00",
            },
            "title",
            "Title",
        ),
    ],
)
def test_a_nul_on_an_admin_form_is_an_error_beside_the_field(client, path, fields, field_id, label):
    make_admin()
    sign_in(client)
    update = make_update("Consultation", "2031-05-01T09:00", deadline="2031-06-02T12:00")
    url = path.format(id=update.id)
    token = csrf_from(client.get(url).text)
    response = client.post(url, data={**fields, "csrf_token": token})
    assert response.status_code == 400
    assert field_error(response.text, field_id) == (
        f"Error: {label} must not contain the NUL character (it is invisible)"
    )
    db.session.expire_all()
    assert db.session.get(Update, update.id).deadline.at == at("2031-06-02T12:00")
    assert [s.slug for s in db.session.get(Update, update.id).strands] != [FED]
    assert count(Meeting) == 0
