"""Importing a list from the admin pages: upload, preview, apply; a bad file imports nothing."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from notifier.admins import create_admin
from notifier.extensions import db
from notifier.models import AuditEntry, ConsentRecord, Outbox, Subscriber, utcnow
from notifier.subscriptions.choices import Choices, pick_strands
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.subscribe import subscribe
from tests.support.pages import subscriber

PASSWORD = "a long admin password"
HEADER = "email,strands,frequency,reminders,consent_at,consent_source\n"
GOOD = (
    HEADER + "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
    "bob@example.org,research-statistics,daily,true,,\n"
)
BAD = (
    HEADER + "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
    "not-an-address,fraud-error-debt,daily,true,,\n"
    "cy@example.org,astrology,daily,true,,\n"
)


@pytest.fixture
def signed_in(app, client):
    create_admin("ops@example.org", PASSWORD)
    db.session.commit()
    page = client.get("/admin/login")
    client.post(
        "/admin/login",
        data={"email": "ops@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html)[1]


def upload(client, text: str, name: str = "list.csv"):
    page = client.get("/admin/subscribers/import")
    return client.post(
        "/admin/subscribers/import",
        data={"csrf_token": csrf(page.text), "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def apply(client, preview_html: str):
    token = re.search(r'<input[^>]*name="token"[^>]*value="([^"]*)"', preview_html)
    return client.post(
        "/admin/subscribers/import/apply",
        data={"csrf_token": csrf(preview_html), "token": token[1]},
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_uploads(app) -> list:
    folder = Path(app.instance_path) / "imports"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_the_pages_need_a_sign_in(client):
    assert client.get("/admin/subscribers/import").status_code == 302
    assert client.get("/admin/subscribers/export.csv").status_code == 302


def test_a_file_with_a_bad_row_is_refused_line_by_line_and_imports_nothing(app, signed_in):
    answer = upload(signed_in, BAD)
    assert answer.status_code == 400
    page = answer.text
    assert "list.csv cannot be imported" in page
    assert "line 3: email: Enter an email address in the correct format" in page
    assert "line 4: strands: Choose strands from the list" in page
    counts = dict(re.findall(r'<th scope="row">(\w+)</th><td>([\d,]+)</td>', page))
    assert counts == {"New": "1", "Updated": "0", "Unchanged": "0", "Refused": "2"}
    assert "Import 1 rows" not in page and "/import/apply" not in page
    assert count(Subscriber) == 0
    assert stored_uploads(app) == []  # a refused file is not kept


def test_a_good_file_is_previewed_then_applied_exactly_once(app, signed_in):
    preview = upload(signed_in, GOOD)
    assert preview.status_code == 200
    counts = dict(re.findall(r'<th scope="row">(\w+)</th><td>([\d,]+)</td>', preview.text))
    assert counts == {"New": "2", "Updated": "0", "Unchanged": "0", "Refused": "0"}
    assert "Asked to confirm by email: 1 (1 confirmation email to send now)" in preview.text
    assert count(Subscriber) == 0  # a preview changes nothing

    done = apply(signed_in, preview.text)
    assert done.status_code == 302
    page = signed_in.get(done.headers["Location"]).text
    assert "Imported 2 rows from list.csv: 2 new, 0 updated, 0 unchanged" in page
    assert subscriber("ada@example.org").status == "confirmed"
    assert subscriber("bob@example.org").status == "pending"
    assert [(r.kind, r.to_address) for r in db.session.scalars(select(Outbox))] == [
        ("confirm", "bob@example.org")
    ]
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "subscribers.import")
    ).all()
    assert (entry.actor, entry.target, entry.detail["new"]) == ("ops@example.org", "list.csv", 2)
    assert stored_uploads(app) == []

    again = apply(signed_in, preview.text)
    assert again.status_code == 409
    assert "imported already" in again.text
    assert count(Subscriber) == 2
    assert count(Outbox) == 1


def test_a_forged_preview_imports_nothing(app, signed_in):
    preview = upload(signed_in, GOOD)
    forged = re.sub(r'(name="token"[^>]*value=")', r"\1x", preview.text)
    answer = apply(signed_in, forged)
    assert answer.status_code == 409
    assert count(Subscriber) == 0


def test_a_list_that_changed_since_the_preview_is_not_imported_and_shown_again(app, signed_in):
    preview = upload(signed_in, GOOD)
    subscribe(
        "bob@example.org",
        Choices.same(pick_strands(["fraud-error-debt"]), "daily", True),
        Origin(None, None, "web form"),
        utcnow(),
    )
    db.session.commit()
    records = count(ConsentRecord)
    answer = apply(signed_in, preview.text)
    assert answer.status_code == 409
    assert "The list has changed since the preview, so nothing was imported" in answer.text
    counts = dict(re.findall(r'<th scope="row">(\w+)</th><td>([\d,]+)</td>', answer.text))
    assert counts == {"New": "1", "Updated": "1", "Unchanged": "0", "Refused": "0"}
    assert subscriber("ada@example.org") is None
    assert count(ConsentRecord) == records
    # The new preview applies.
    second = apply(signed_in, answer.text)
    assert second.status_code == 302, second.text[second.text.find("<main") :][:1500]
    assert subscriber("ada@example.org").status == "confirmed"


def test_an_upload_without_a_file_says_so_beside_the_field(signed_in):
    page = signed_in.get("/admin/subscribers/import")
    answer = signed_in.post("/admin/subscribers/import", data={"csrf_token": csrf(page.text)})
    assert answer.status_code == 400
    assert 'id="file-error"' in answer.text
    assert "Choose a CSV file to import" in answer.text


def test_the_export_carries_status_and_consent_and_is_audited(app, signed_in):
    done = apply(signed_in, upload(signed_in, GOOD).text)
    assert done.status_code == 302
    answer = signed_in.get("/admin/subscribers/export.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert rows["ada@example.org"]["consent_source"] == "June sheet"
    assert rows["ada@example.org"]["consent_at"] == "2025-06-01T09:30:00+00:00"
    assert rows["ada@example.org"]["status"] == "confirmed"
    assert rows["bob@example.org"]["status"] == "pending"
    exports = select(func.count()).where(AuditEntry.action == "subscribers.export")
    assert db.session.scalar(exports) == 1


def test_an_editor_may_neither_import_nor_export(app, client):
    create_admin("editor@example.org", PASSWORD, role="editor")
    db.session.commit()
    page = client.get("/admin/login")
    client.post(
        "/admin/login",
        data={"email": "editor@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    overview = client.get("/admin/")
    assert overview.status_code == 200
    assert "/admin/subscribers/import" not in overview.text
    for path in ("/admin/subscribers/import", "/admin/subscribers/export.csv"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "Only an owner can" in answer.text
    answer = client.post(
        "/admin/subscribers/import",
        data={"csrf_token": csrf(overview.text), "file": (io.BytesIO(GOOD.encode()), "l.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 403
    assert count(Subscriber) == 0
