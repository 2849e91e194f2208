"""The admin JSON API: strands, updates, subscribers, stats; problem details; cursor pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notifier.admins import issue_token
from notifier.extensions import db
from notifier.models import AuditEntry, Strand
from tests.support.admin import make_admin
from tests.support.content import make_subscriber, make_update


@pytest.fixture
def auth(app):
    make_admin()
    token = issue_token("ops@example.org")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def problem_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.mimetype == "application/problem+json"
    body = answer.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "path", ["/api/v1/strands", "/api/v1/updates", "/api/v1/subscribers", "/api/v1/stats"]
)
def test_every_admin_route_needs_a_token(client, path):
    problem_of(client.get(path), 401)
    problem_of(client.get(path, headers={"Authorization": "Bearer nope"}), 401)


def test_strands_are_added_changed_archived_and_restored(client, auth):
    listed = client.get("/api/v1/strands", headers=auth).json
    assert [s["slug"] for s in listed["items"]][:3] == [
        "research-statistics",
        "fraud-error-debt",
        "tailored-public-services",
    ] and listed["next"] is None

    made = client.post(
        "/api/v1/strands",
        json={"slug": "health-data", "name": "Health Data", "keywords": ["NHS", "NHS", "care"]},
        headers=auth,
    )
    assert made.status_code == 201
    assert made.json["keywords"] == ["NHS", "care"] and made.json["active"] is True
    again = problem_of(
        client.post("/api/v1/strands", json={"slug": "health-data", "name": "X"}, headers=auth),
        409,
    )
    assert "slug" in again["fields"]
    bad = problem_of(
        client.post("/api/v1/strands", json={"slug": "Not A Slug", "keywords": "x"}, headers=auth),
        400,
    )
    assert {"slug", "name", "keywords"} <= set(bad["fields"])

    changed = client.patch(
        "/api/v1/strands/health-data",
        json={"name": "Health & Care Data", "description": "NHS data.", "position": 0},
        headers=auth,
    )
    assert changed.status_code == 200 and changed.json["name"] == "Health & Care Data"
    archived = client.patch("/api/v1/strands/health-data", json={"active": False}, headers=auth)
    assert archived.json["active"] is False
    assert "health-data" not in client.get("/").text  # gone from the sign-up form
    client.patch("/api/v1/strands/health-data", json={"active": True}, headers=auth)
    assert "health-data" in client.get("/").text

    problem_of(client.patch("/api/v1/strands/nope", json={"name": "X"}, headers=auth), 404)
    renamed = problem_of(
        client.patch("/api/v1/strands/health-data", json={"slug": "other"}, headers=auth), 400
    )
    assert "slug" in renamed["fields"]
    clash = client.patch(
        "/api/v1/strands/health-data", json={"name": "fraud, error & debt"}, headers=auth
    )
    problem_of(clash, 409)
    problem_of(client.patch("/api/v1/strands/health-data", data="[1", headers=auth), 400)
    assert db.session.scalar(select(Strand.name).where(Strand.slug == "health-data")) == (
        "Health & Care Data"
    )
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("strand.%"))
    )
    assert list(actions) == ["strand.add", "strand.change", "strand.change", "strand.change"]


def test_update_pages_visit_each_update_once_while_updates_arrive(client, auth):
    for n in range(7):
        make_update(f"Paper {n}", "2026-03-01T10:00", ("research-statistics",))
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/updates", query_string=query, headers=auth).json
        seen += [item["title"] for item in page["items"]]
        make_update(f"Late {len(seen)}", "2026-03-02T10:00")  # arrives between pages
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == [f"Paper {n}" for n in range(7)]
    first = client.get("/api/v1/updates?limit=1", headers=auth).json["items"][0]
    assert first["title"].startswith("Late") and first["strands"] == []
    assert {"guid", "link", "published", "deadline", "weekday_mismatch"} <= set(first)
    problem_of(client.get("/api/v1/updates?cursor=garbage", headers=auth), 400)
    problem_of(client.get("/api/v1/updates?limit=0", headers=auth), 400)
    problem_of(client.get("/api/v1/updates?limit=abc", headers=auth), 400)


def test_subscribers_found_by_email_and_paged(client, auth):
    ada = make_subscriber("ada@example.org", ("fraud-error-debt",))
    for n in range(4):
        make_subscriber(f"p{n}@example.org")
    found = client.get("/api/v1/subscribers?email=%20ADA@example.org", headers=auth).json
    assert [s["email"] for s in found["items"]] == ["ada@example.org"]
    assert found["items"][0]["strands"] == ["fraud-error-debt"]
    assert client.get("/api/v1/subscribers?email=no@example.org", headers=auth).json["items"] == []
    page = client.get("/api/v1/subscribers?limit=2", headers=auth).json
    rest = client.get(f"/api/v1/subscribers?limit=10&cursor={page['next']}", headers=auth).json
    emails = [s["email"] for s in page["items"] + rest["items"]]
    assert len(emails) == len(set(emails)) == 5 and rest["next"] is None
    problem_of(client.get("/api/v1/subscribers?status=asleep", headers=auth), 400)

    one = client.get(f"/api/v1/subscribers/{ada.id}", headers=auth).json
    assert one["id"] == ada.id and one["status"] == "confirmed"
    assert one["preferences"][0]["strand"] == "fraud-error-debt"
    assert "consent_records" in one and "emails" in one
    problem_of(client.get("/api/v1/subscribers/9999", headers=auth), 404)


def test_stats_count_subscribers_and_recent_emails(client, auth):
    make_subscriber("a@example.org", ("fraud-error-debt", "research-statistics"))
    make_subscriber("b@example.org", ("fraud-error-debt",))
    stats = client.get("/api/v1/stats", headers=auth).json
    assert stats["subscribers"]["confirmed"] == 2
    assert stats["subscribers_by_strand"]["fraud-error-debt"]["confirmed"] == 2
    assert stats["subscribers_by_strand"]["tailored-public-services"]["confirmed"] == 0
    assert stats["emails_last_24h"] == {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0}
