"""An admin changes an update's strands; later polls of a changed entry keep the choice."""

from __future__ import annotations

from sqlalchemy import select

from notifier.extensions import db
from notifier.feeds.poll import poll_all
from notifier.models import AuditEntry, Update, utcnow
from tests.support.admin import csrf_from, make_admin, sign_in
from tests.support.http import Response


def _feed(body_text: str, category: str = "Research & Statistics") -> Response:
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <link>https://site.example.org/</link><description>d</description>
    <item><title>Draft proposals</title><link>https://site.example.org/p1</link>
    <guid>p1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate>
    <category>{category}</category><description>{body_text}</description></item>
    </channel></rss>"""
    return Response(body.encode(), headers={"Content-Type": "application/rss+xml"})


def _slugs(update: Update) -> list[str]:
    db.session.expire_all()
    return [strand.slug for strand in db.session.get(Update, update.id).strands]


def _polled_update(make_app, feed_server):
    feed_server.routes["/feed"] = _feed("The paper is open.")
    app = make_app(feed_urls=[feed_server.url("/feed")])
    ctx = app.app_context()
    ctx.push()
    poll_all(utcnow())
    update = db.session.scalar(select(Update))
    assert _slugs(update) == ["research-statistics"]
    return app, ctx, update


def test_an_editors_strands_survive_the_next_poll_of_a_changed_entry(make_app, feed_server):
    app, ctx, update = _polled_update(make_app, feed_server)
    try:
        make_admin("ed@example.org", role="editor")
        client = app.test_client()
        sign_in(client, "ed@example.org")
        listing = client.get("/admin/updates").text
        assert f'href="/admin/updates/{update.id}/strands"' in listing
        form = client.get(f"/admin/updates/{update.id}/strands").text
        assert 'value="research-statistics"\n               checked' in form
        saved = client.post(
            f"/admin/updates/{update.id}/strands",
            data={"strands": ["fraud-error-debt"], "csrf_token": csrf_from(form)},
        )
        assert saved.status_code == 302
        assert "Later polls will not change them" in client.get(saved.headers["Location"]).text
        assert _slugs(update) == ["fraud-error-debt"]

        # The entry changes, and its category still says Research & Statistics.
        feed_server.routes["/feed"] = _feed("The paper is open, now with an annex.")
        poll_all(utcnow())
        db.session.expire_all()
        polled = db.session.get(Update, update.id)
        assert polled.revision == 2 and "annex" in polled.content_text
        assert _slugs(update) == ["fraud-error-debt"]
        assert "(set by ed@example.org)" in client.get("/admin/updates").text

        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update.strands"))
        assert (audit.actor, audit.target) == ("ed@example.org", f"update:{update.id}")
        assert audit.detail["before"]["strands"] == ["research-statistics"]
        assert audit.detail["after"]["strands"] == ["fraud-error-debt"]

        # Handing the choice back matches afresh, and polls match again from then on.
        client.post(
            f"/admin/updates/{update.id}/strands",
            data={"automatic": "y", "csrf_token": csrf_from(form)},
        )
        assert _slugs(update) == ["research-statistics"]
        feed_server.routes["/feed"] = _feed("Annex.", category="Fraud, Error and Debt")
        poll_all(utcnow())
        assert _slugs(update) == ["fraud-error-debt"]
    finally:
        ctx.pop()


def test_none_chosen_makes_a_general_update(client):
    from tests.support.content import make_update

    update = make_update("Minutes", "2026-03-02T10:00", ("research-statistics",))
    db.session.commit()
    make_admin()
    sign_in(client)
    form = client.get(f"/admin/updates/{update.id}/strands").text
    client.post(f"/admin/updates/{update.id}/strands", data={"csrf_token": csrf_from(form)})
    assert _slugs(update) == []
    assert db.session.get(Update, update.id).strands_set_by == "ops@example.org"


def test_form_errors_are_shown_next_to_the_field_and_nothing_changes(client):
    from tests.support.content import make_update

    update = make_update("Minutes", "2026-03-02T10:00", ("research-statistics",))
    db.session.commit()
    make_admin()
    sign_in(client)
    form = client.get(f"/admin/updates/{update.id}/strands").text
    for data, message in (
        ({"strands": ["no-such-strand"]}, "&#39;no-such-strand&#39; is not a strand"),
        (
            {"strands": ["fraud-error-debt"], "automatic": "y"},
            "Either choose strands or let the service choose them, not both",
        ),
    ):
        answer = client.post(
            f"/admin/updates/{update.id}/strands", data={**data, "csrf_token": csrf_from(form)}
        )
        assert answer.status_code == 400
        assert f'id="strands-error"><span class="visually-hidden">Error:</span> {message}' in (
            answer.text
        )
        assert "There is a problem" in answer.text
        assert _slugs(update) == ["research-statistics"]
        assert db.session.get(Update, update.id).strands_set_by is None
    audited = select(AuditEntry).where(AuditEntry.action == "update.strands")
    assert db.session.scalar(audited) is None


def test_only_a_signed_in_admin_can_change_strands(client):
    from tests.support.content import make_update

    update = make_update("Minutes", "2026-03-02T10:00", ("research-statistics",))
    db.session.commit()
    page = client.get(f"/admin/updates/{update.id}/strands")
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    token = csrf_from(client.get("/admin/login").text)  # a good token, but no admin signed in
    posted = client.post(
        f"/admin/updates/{update.id}/strands",
        data={"strands": ["fraud-error-debt"], "csrf_token": token},
    )
    assert posted.status_code == 302 and "/admin/login" in posted.headers["Location"]
    assert _slugs(update) == ["research-statistics"]
    assert client.get("/admin/updates/999999/strands").status_code == 302
