"""The subscribers pages: search and filters paged by id, one subscriber's page, its actions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from notifier.delivery.outbox import enqueue
from notifier.extensions import db
from notifier.models import AuditEntry, Bounce, Outbox, Subscriber, utcnow
from notifier.subscriptions.erase import is_erased
from tests.support.admin import csrf_from, make_admin, sign_in
from tests.support.content import make_subscriber


@pytest.fixture
def owner(client):
    make_admin()
    sign_in(client)
    return client


def listed(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/subscribers/\d+">([^<]+)</a>', html)


def test_filters_and_pages_visit_each_subscriber_once_while_people_join(owner):
    for n in range(120):
        make_subscriber(f"p{n:03}@example.org", ("fraud-error-debt",) if n % 2 else ())
    seen, path = [], "/admin/subscribers?strand=fraud-error-debt&status=confirmed"
    while path:
        page = owner.get(path).text
        seen += listed(page)
        make_subscriber(f"late{len(seen)}@example.org", ("fraud-error-debt",))  # joins meanwhile
        found = re.search(r'<a href="([^"]+)">Next page</a>', page)
        path = found[1].replace("&amp;", "&") if found else None
    assert len(seen) == len(set(seen)) == 60
    assert all(int(email[1:4]) % 2 for email in seen)

    assert listed(owner.get("/admin/subscribers?q=P01").text)[0] == "p019@example.org"
    assert listed(owner.get("/admin/subscribers?status=pending").text) == []
    bad = owner.get("/admin/subscribers?status=asleep")
    assert bad.status_code == 400 and "Choose a status from the list" in bad.text


def test_a_subscribers_page_shows_everything_about_them(owner):
    person = make_subscriber("ada@example.org", ("research-statistics",), frequency="weekly")
    enqueue("x:1", "digest", person.email, subscriber_id=person.id, now=utcnow())
    db.session.flush()
    row = db.session.scalar(select(Outbox))
    row.status, row.smtp_reply = "sent", "250 2.0.0 Ok: queued as 4XyZ"
    db.session.add(
        Bounce(email=person.email, subscriber_id=person.id, kind="soft", status_code="4.2.2")
    )
    db.session.commit()
    page = owner.get(f"/admin/subscribers/{person.id}").text
    assert "<h1>ada@example.org</h1>" in page
    assert "<td>Research &amp; Statistics</td><td>weekly</td>" in page
    assert "250 2.0.0 Ok: queued as 4XyZ" in page and "4.2.2" in page
    assert owner.get("/admin/subscribers/99999").status_code == 404


def test_suppress_lift_and_erase_are_audited(owner):
    person = make_subscriber("ada@example.org")
    person_id = person.id
    enqueue("x:1", "digest", person.email, subscriber_id=person.id, now=utcnow())
    db.session.commit()
    path = f"/admin/subscribers/{person_id}"
    token = csrf_from(owner.get(path).text)

    blank = owner.post(f"{path}/suppress", data={"csrf_token": token, "reason": " "})
    assert "give the reason" in owner.get(blank.headers["Location"]).text
    owner.post(f"{path}/suppress", data={"csrf_token": token, "reason": "asked by phone"})
    db.session.expire_all()
    assert db.session.get(Subscriber, person.id).status == "suppressed"
    assert db.session.scalar(select(Outbox.status)) == "cancelled"
    owner.post(f"{path}/lift", data={"csrf_token": token})
    assert db.session.get(Subscriber, person.id).status == "confirmed"

    kept = owner.post(f"{path}/erase", data={"csrf_token": token})
    assert "tick the box" in owner.get(kept.headers["Location"]).text
    assert db.session.get(Subscriber, person.id) is not None
    gone = owner.post(f"{path}/erase", data={"csrf_token": token, "confirm": "yes"})
    assert "is erased" in owner.get(gone.headers["Location"]).text
    assert db.session.get(Subscriber, person_id) is None and is_erased("ada@example.org")

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["subscriber.suppress", "subscriber.unsuppress", "subscriber.erase"]
    log = owner.get("/admin/audit?action=subscriber.").text
    assert "subscriber.suppress" in log and "asked by phone" in log and "admin.login" not in log
    mine = owner.get("/admin/audit?actor=ops@example.org&action=admin.login").text
    assert "admin.login" in mine


def test_an_editor_sees_a_subscriber_but_cannot_erase_or_suppress(client):
    make_admin("ed@example.org", role="editor")
    person = make_subscriber("ada@example.org")
    sign_in(client, "ed@example.org")
    page = client.get(f"/admin/subscribers/{person.id}")
    assert page.status_code == 200 and "Only an owner can erase" in page.text
    assert "Suppress this address" not in page.text
    token = csrf_from(page.text)
    refused = client.post(
        f"/admin/subscribers/{person.id}/erase", data={"csrf_token": token, "confirm": "yes"}
    )
    assert refused.status_code == 403 and "Only an owner can erase subscribers" in refused.text
    suppress = client.post(
        f"/admin/subscribers/{person.id}/suppress", data={"csrf_token": token, "reason": "x"}
    )
    assert suppress.status_code == 403
    assert db.session.get(Subscriber, person.id).status == "confirmed"
