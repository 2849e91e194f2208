"""PATCH /api/v1/updates/<id>: an admin sets an update's strands through the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notifier.admins import issue_token
from notifier.extensions import db
from notifier.models import AuditEntry, Update
from tests.support.admin import make_admin
from tests.support.content import make_update


@pytest.fixture
def auth(app):
    make_admin("ed@example.org", role="editor")
    token = issue_token("ed@example.org")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def update(app):
    update = make_update("Minutes", "2026-03-02T10:00", ("research-statistics",))
    db.session.commit()
    return update


def _problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.mimetype == "application/problem+json"
    assert answer.json["title"] and answer.json["detail"]
    return answer.json


def _state(update: Update) -> tuple[list[str], str | None]:
    db.session.expire_all()
    saved = db.session.get(Update, update.id)
    return [s.slug for s in saved.strands], saved.strands_set_by


def test_an_editor_sets_strands_and_hands_them_back(client, auth, update):
    url = f"/api/v1/updates/{update.id}"
    answer = client.patch(url, json={"strands": ["fraud-error-debt"]}, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json["strands"] == ["fraud-error-debt"]
    assert answer.json["strands_set_by"] == "ed@example.org"
    assert _state(update) == (["fraud-error-debt"], "ed@example.org")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update.strands"))
    assert (audit.actor, audit.target) == ("ed@example.org", f"update:{update.id}")
    listed = client.get("/api/v1/updates", headers=auth).json["items"]
    assert listed[0]["strands"] == ["fraud-error-debt"]

    general = client.patch(url, json={"strands": []}, headers=auth)
    assert general.json["strands"] == [] and _state(update) == ([], "ed@example.org")
    # "Minutes" matches no strand by title or category, so the service's choice is none.
    back = client.patch(url, json={"strands": None}, headers=auth)
    assert back.json["strands_set_by"] is None and _state(update) == ([], None)


@pytest.mark.parametrize(
    "body",
    [None, [], {}, {"strands": "fraud-error-debt"}, {"strands": [1]}, {"strands": [""]}],
)
def test_a_bad_body_is_refused_and_nothing_changes(client, auth, update, body):
    url = f"/api/v1/updates/{update.id}"
    answer = (
        client.patch(url, json=body, headers=auth)
        if body is not None
        else client.patch(url, data="not json", headers=auth)
    )
    _problem(answer, 400)
    assert _state(update) == (["research-statistics"], None)


def test_an_unknown_strand_is_named_in_the_field_errors(client, auth, update):
    answer = client.patch(
        f"/api/v1/updates/{update.id}",
        json={"strands": ["fraud-error-debt", "no-such-strand"]},
        headers=auth,
    )
    body = _problem(answer, 400)
    assert "no-such-strand" in body["fields"]["strands"]
    assert _state(update) == (["research-statistics"], None)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update.strands")) is None
    )


def test_no_token_and_no_update(client, auth, update):
    url = f"/api/v1/updates/{update.id}"
    _problem(client.patch(url, json={"strands": []}), 401)
    _problem(client.patch(url, json={"strands": []}, headers={"Authorization": "Bearer x"}), 401)
    assert _state(update) == (["research-statistics"], None)
    _problem(client.patch("/api/v1/updates/999999", json={"strands": []}, headers=auth), 404)
