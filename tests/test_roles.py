"""Owner and editor: what an editor may not do, refused on the pages, the API and the CLI."""

from __future__ import annotations

from sqlalchemy import select

from notifier.admins import issue_token
from notifier.extensions import db
from notifier.models import Admin, AuditEntry, Subscriber
from tests.support.admin import csrf_from, make_admin, sign_in
from tests.support.content import make_subscriber


def test_admin_create_takes_a_role(runner):
    made = runner.invoke(
        args=["admin", "create", "ed@example.org", "--role", "editor", "--password-stdin"],
        input="a long enough password\n",
    )
    assert made.exit_code == 0 and "created admin ed@example.org (editor)" in made.output
    owner = runner.invoke(
        args=["admin", "create", "own@example.org", "--password-stdin"],
        input="a long enough password\n",
    )
    assert "(owner)" in owner.output
    bad = runner.invoke(
        args=["admin", "create", "x@example.org", "--role", "boss", "--password-stdin"],
        input="a long enough password\n",
    )
    assert bad.exit_code == 2 and "'boss' is not one of 'owner', 'editor'" in bad.output
    roles = dict(db.session.execute(select(Admin.email, Admin.role)).all())
    assert roles == {"ed@example.org": "editor", "own@example.org": "owner"}


def test_an_editor_token_cannot_erase_and_an_owner_token_can(client):
    make_admin("ed@example.org", role="editor")
    make_admin("own@example.org")
    editor, owner = issue_token("ed@example.org"), issue_token("own@example.org")
    db.session.commit()
    person_id = make_subscriber("reader@example.org").id
    refused = client.delete(
        f"/api/v1/subscribers/{person_id}", headers={"Authorization": f"Bearer {editor}"}
    )
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 403 and "Only an owner can erase" in refused.json["detail"]
    assert db.session.get(Subscriber, person_id) is not None

    erased = client.delete(
        f"/api/v1/subscribers/{person_id}", headers={"Authorization": f"Bearer {owner}"}
    )
    assert erased.status_code == 200
    assert db.session.get(Subscriber, person_id) is None


def test_an_editor_cannot_lift_a_suppression_but_can_write_announcements(client):
    make_admin("ed@example.org", role="editor")
    db.session.add(Subscriber(email="bounced@example.org", status="suppressed"))
    db.session.commit()
    sign_in(client, "ed@example.org")
    page = client.get("/admin/subscribers?q=bounced")
    assert page.status_code == 200  # reading is open to editors
    answer = client.post(
        "/admin/subscribers/unsuppress",
        data={"email": "bounced@example.org", "csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 403
    assert "Only an owner can suppress or lift a suppression" in answer.text
    person = db.session.scalar(select(Subscriber).where(Subscriber.email == "bounced@example.org"))
    assert person.status == "suppressed"
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "subscriber.unsuppress"))
        is None
    )
    assert client.get("/admin/announcements/new").status_code == 200
