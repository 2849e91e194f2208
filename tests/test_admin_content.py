"""Updates and strands as admins run them: list and search, confirm a deadline, edit strands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Strand, Update
from tests.support.admin import csrf_from, make_admin, sign_in
from tests.support.content import make_update


@pytest.fixture
def editor(client):
    make_admin("ed@example.org", role="editor")
    sign_in(client, "ed@example.org")
    return client


def test_updates_are_listed_searched_and_a_read_deadline_confirmed(editor):
    paper = make_update(
        "Draft code of practice",
        "2026-03-01T10:00",
        ("research-statistics",),
        deadline="2026-03-20T23:59",
    )
    paper.deadline.sentence = "Comments by Friday 20 March."
    paper.deadline.weekday_mismatch = True
    make_update("Minutes of the meeting", "2026-03-02T10:00")
    db.session.commit()
    page = editor.get("/admin/updates").text
    assert page.index("Minutes of the meeting") < page.index("Draft code of practice")
    assert "weekday does not match" in page and "“Comments by Friday 20 March.”" in page
    found = editor.get("/admin/updates?q=code").text
    assert "Draft code of practice" in found and "Minutes" not in found

    form = editor.get(f"/admin/updates/{paper.id}/deadline").text
    answer = editor.post(
        f"/admin/updates/{paper.id}/deadline/confirm", data={"csrf_token": csrf_from(form)}
    )
    assert "Deadline confirmed" in editor.get(answer.headers["Location"]).text
    saved = db.session.get(Update, paper.id).deadline
    assert (saved.source, saved.corrected_by) == ("admin", "ed@example.org")


def test_strands_are_added_edited_and_archived_from_the_page(editor):
    page = editor.get("/admin/strands")
    token = csrf_from(page.text)
    bad = editor.post("/admin/strands", data={"csrf_token": token, "slug": "Bad Slug", "name": ""})
    assert bad.status_code == 400 and "slug must be lower-case" in bad.text
    added = editor.post(
        "/admin/strands",
        data={
            "csrf_token": token,
            "slug": "health-data",
            "name": "Health Data",
            "keywords": "NHS, care",
            "description": "Health records.",
        },
    )
    assert added.status_code == 302
    assert "health-data" in editor.get("/").text
    edit = editor.get("/admin/strands/health-data")
    assert 'value="NHS, care"' in edit.text
    archived = editor.post(
        "/admin/strands/health-data",
        data={
            "csrf_token": csrf_from(edit.text),
            "name": "Health & Care Data",
            "description": "Health records.",
            "keywords": "NHS",
            "position": "0",
        },
    )
    assert archived.status_code == 302
    strand = db.session.scalar(select(Strand).where(Strand.slug == "health-data"))
    assert (strand.name, strand.active, strand.keywords, strand.position) == (
        "Health & Care Data",
        False,
        ["NHS"],
        0,
    )
    assert "health-data" not in editor.get("/").text
    listing = editor.get("/admin/strands").text
    assert re.search(r"Health &amp; Care Data</a>.*?archived", listing, re.S)
