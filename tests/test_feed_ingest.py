"""Feed ingestion against a real HTTP server: parsing, storing, revising, strands, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from notifier.extensions import db
from notifier.feeds.corrections import correct_deadline
from notifier.feeds.health import next_delay
from notifier.feeds.poll import poll_all, poll_due
from notifier.models import Deadline, Feed, Outbox, Strand, Update
from tests.support.feeds import RSS, feed_bytes, with_etag
from tests.support.http import Response

NOW = datetime(2031, 5, 10, 12, 0, tzinfo=UTC)


def item(guid, title, body, pub="Thu, 08 May 2031 10:00:00 GMT", categories=()):
    cats = "".join(f"<category>{c}</category>" for c in categories)
    return (
        f"<item><title>{title}</title><link>https://t.example.org/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><pubDate>{pub}</pubDate>{cats}"
        f"<description><![CDATA[{body}]]></description></item>"
    )


def rss(*items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"<link>https://t.example.org/</link><description>d</description>{''.join(items)}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def serve(make_app, feed_server):
    """Serve routes and build an app polling them: serve({"/a": route, ...}) -> app."""
    apps = []

    def factory(routes, **settings):
        feed_server.routes.update(routes)
        app = make_app(feed_urls=[feed_server.url(path) for path in routes], **settings)
        ctx = app.app_context()
        ctx.push()
        apps.append(ctx)
        return app

    yield factory
    for ctx in reversed(apps):
        ctx.pop()


def updates() -> dict[str, Update]:
    return {u.guid: u for u in db.session.scalars(select(Update))}


def test_wordpress_feed_is_stored_as_baseline_with_strands_deadline_and_clean_html(
    serve, feed_server
):
    serve({"/feed/": with_etag(feed_bytes("wordpress.xml"), '"wp1"')})
    [result] = poll_all(NOW)
    assert result.ok and result.new == 3 and result.new_update_ids == []
    stored = updates()
    draft = stored["https://policy.example.org/?p=101"]
    assert draft.baseline is True
    assert draft.stored_at == NOW
    assert draft.title == "Fraud, Error & Debt | Draft proposals for comment"
    assert draft.categories == ["Updates", "fraud-error-debt"]
    assert draft.published_at == datetime(2031, 5, 5, 9, 0, tzinfo=UTC)
    assert [s.slug for s in draft.strands] == ["fraud-error-debt"]
    # Sanitised: no script, no event handlers, no javascript: link; the safe link survives.
    html = draft.content_html
    for bad in ("<script", "alert", "onclick", "onmouseover", "javascript:", "steal"):
        assert bad not in html
    assert '<a href="https://policy.example.org/papers/fed.pdf"' in html
    assert "<li>Section one</li>" in html
    assert "draft paper (https://policy.example.org/papers/fed.pdf)" in draft.content_text
    assert "- Section two" in draft.content_text
    assert "<" not in draft.content_text
    deadline = draft.deadline
    assert deadline.at == datetime(2031, 5, 30, 16, 0, tzinfo=UTC)  # 5pm BST
    assert "open for comment until 5pm on Friday 30 May 2031" in deadline.sentence
    assert deadline.weekday_mismatch is False and deadline.version == 1
    assert deadline.low_confidence is False  # "open for comment until": a strong cue
    # A meeting and a publication date are no deadline; "RESEARCH & STATISTICS" is the strand.
    minutes = stored["https://policy.example.org/?p=99"]
    assert minutes.deadline is None and minutes.strands == []
    assert [s.slug for s in stored["https://policy.example.org/?p=97"].strands] == [
        "research-statistics"
    ]
    feed = db.session.scalar(select(Feed))
    assert feed.baselined and feed.etag == '"wp1"' and feed.title.startswith("Open policy test")
    path, headers = feed_server.requests[-1]
    assert (
        headers["User-Agent"].startswith("notifier/")
        and "http://notifier.test" in headers["User-Agent"]
    )
    assert db.session.scalar(select(func.count(Outbox.id))) == 0


def test_atom_latin1_malformed_rss091_and_rss10_are_all_read(serve):
    serve(
        {
            "/atom": Response(
                feed_bytes("atom.xml"), headers={"Content-Type": "application/atom+xml"}
            ),
            "/latin1": Response(
                feed_bytes("latin1.xml"), headers={"Content-Type": "text/xml; charset=ISO-8859-1"}
            ),
            "/sloppy": Response(feed_bytes("malformed.xml"), headers={"Content-Type": RSS}),
            "/old": Response(feed_bytes("rss091.xml"), headers={"Content-Type": "text/xml"}),
            "/rdf": Response(
                feed_bytes("rss10.xml"), headers={"Content-Type": "application/rdf+xml"}
            ),
        }
    )
    results = poll_all(NOW)
    assert [r.ok for r in results] == [True] * 5, [r.error for r in results]
    stored = updates()
    atom = stored["tag:policy.example.org,2031:entry-7"]
    assert atom.title == "Tailored Public Services paper"
    assert atom.link == "https://policy.example.org/2031/06/tps-paper/"
    assert atom.published_at == datetime(2031, 6, 2, 9, 0, tzinfo=UTC)
    assert [s.slug for s in atom.strands] == ["tailored-public-services"]
    assert atom.deadline.at == datetime(2031, 7, 4, 22, 59, 59, tzinfo=UTC)
    assert stored["tag:policy.example.org,2031:entry-6"].content_text == "Just a short summary."
    latin = stored["latin-1"]
    assert latin.title == "Résumé of the £5 fee proposal"
    assert "naïve" in latin.content_text
    assert stored["sloppy-1"].title == "Fees & charges consultation"
    assert stored["sloppy-1"].deadline.at.date().isoformat() == "2031-05-30"
    assert "sloppy-2" in stored
    # No guid: the link is the key.
    assert "https://old.example.org/item-1" in stored
    assert [s.slug for s in stored["https://rdf.example.org/a"].strands] == ["research-statistics"]


def test_unchanged_poll_sends_conditional_headers_and_writes_no_update(serve, feed_server):
    route = with_etag(
        feed_bytes("wordpress.xml"), '"v1"', last_modified="Mon, 05 May 2031 09:00:00 GMT"
    )
    serve({"/feed": route})
    poll_all(NOW)
    before = {u.guid: (u.revision, u.changed_at, u.content_hash) for u in updates().values()}
    [result] = poll_all(NOW + timedelta(minutes=15))
    assert result.ok and result.not_modified and result.new == 0
    _, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Mon, 05 May 2031 09:00:00 GMT"
    after = {u.guid: (u.revision, u.changed_at, u.content_hash) for u in updates().values()}
    assert after == before


def test_edited_entry_updates_its_row_and_is_not_new(serve, feed_server):
    serve({"/feed": Response(rss(item("a", "First", "<p>Hello.</p>"), item("b", "Second", "x")))})
    poll_all(NOW)
    first = updates()["a"]
    first_id = first.id
    feed_server.routes["/feed"] = Response(
        rss(
            item("a", "First (revised)", "<p>Hello again.</p>"),
            item("b", "Second", "x"),
            item("c", "Third", "<p>Brand new.</p>"),
        )
    )
    [result] = poll_all(NOW + timedelta(hours=1))
    assert (result.new, result.changed) == (1, 1)
    stored = updates()
    assert stored["a"].id == first_id
    assert (stored["a"].revision, stored["a"].title) == (2, "First (revised)")
    assert stored["a"].changed_at == NOW + timedelta(hours=1)
    assert stored["a"].stored_at == NOW
    assert (stored["b"].revision, stored["b"].changed_at) == (1, None)
    # Only the genuinely new entry is offered for sending, and it is no baseline.
    assert result.new_update_ids == [stored["c"].id]
    assert stored["c"].baseline is False and stored["a"].baseline is True


def test_first_poll_send_days_sends_recent_entries_only(serve):
    serve(
        {
            "/feed": Response(
                rss(
                    item("recent", "Recent", "x", pub="Fri, 09 May 2031 10:00:00 GMT"),
                    item("old", "Old", "x", pub="Mon, 14 Apr 2031 10:00:00 GMT"),
                )
            )
        },
        first_poll_send_days=3,
    )
    [result] = poll_all(NOW)
    stored = updates()
    assert stored["recent"].baseline is False and stored["old"].baseline is True
    assert result.new_update_ids == [stored["recent"].id]


def test_strands_from_categories_and_keywords_never_from_body(serve):
    serve(
        {
            "/feed": Response(
                rss(
                    item("p", "Paper", "x", categories=["Fraud Error and Debt"]),
                    item("k", "Benefit overpayments pilot", "x"),
                    item("c", "Workshop", "x", categories=["OVERPAYMENTS"]),
                    item("body", "Notes", "<p>About overpayments and Fraud, Error &amp; Debt.</p>"),
                    item("part", "Overpaymentsystem notes", "x"),
                )
            )
        }
    )
    strand = db.session.scalar(select(Strand).where(Strand.slug == "fraud-error-debt"))
    strand.keywords = ["overpayments"]
    db.session.commit()
    poll_all(NOW)
    slugs = {guid: [s.slug for s in u.strands] for guid, u in updates().items()}
    assert slugs == {
        "p": ["fraud-error-debt"],
        "k": ["fraud-error-debt"],
        "c": ["fraud-error-debt"],
        "body": [],
        "part": [],
    }


def test_deadline_moves_is_cancelled_by_text_and_admin_correction_survives(serve, feed_server):
    text = "<p>Comments are welcome until 20 May 2031.</p>"
    serve({"/feed": Response(rss(item("d", "Paper", text), item("e", "Other", text)))})
    poll_all(NOW)
    moved = "<p>The deadline has been extended to 3 June 2031 at noon.</p>"
    feed_server.routes["/feed"] = Response(
        rss(item("d", "Paper", moved), item("e", "Other", moved))
    )
    admin_set = datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    correct_deadline(updates()["e"].id, admin_set, "admin@example.org", NOW)
    db.session.commit()
    poll_all(NOW + timedelta(hours=1))
    d = updates()["d"].deadline
    assert d.at == datetime(2031, 6, 3, 11, 0, tzinfo=UTC)
    assert d.previous_at == datetime(2031, 5, 20, 22, 59, 59, tzinfo=UTC)
    assert d.version == 2 and "extended to 3 June 2031" in d.sentence
    e = updates()["e"].deadline
    assert (e.at, e.source, e.corrected_by) == (admin_set, "admin", "admin@example.org")
    # The text stops naming a deadline: the parsed one is cancelled, the admin's kept.
    gone = "<p>Thank you for your comments.</p>"
    feed_server.routes["/feed"] = Response(rss(item("d", "Paper", gone), item("e", "Other", gone)))
    poll_all(NOW + timedelta(hours=2))
    assert updates()["d"].deadline.cancelled is True
    assert updates()["e"].deadline.cancelled is False
    assert db.session.scalar(select(func.count(Deadline.id))) == 2


def test_permanent_redirect_moves_the_feed_and_temporary_does_not(serve, feed_server):
    body = Response(rss(item("a", "A", "x")), headers={"Content-Type": RSS})
    serve(
        {
            "/old": Response(b"", 301, {"Location": "/new"}),
            "/temp": Response(b"", 302, {"Location": "/elsewhere"}),
        }
    )
    feed_server.routes.update({"/new": body, "/elsewhere": Response(rss(item("b", "B", "x")))})
    results = poll_all(NOW)
    assert all(r.ok for r in results)
    urls = sorted(db.session.scalars(select(Feed.url)))
    assert urls == [feed_server.url("/new"), feed_server.url("/temp")]
    # The configured URL still maps to the moved feed: no duplicate row on the next sync.
    poll_all(NOW + timedelta(hours=1))
    assert db.session.scalar(select(func.count(Feed.id))) == 2
    assert db.session.scalar(select(func.count(Update.id))) == 2


def test_one_failing_feed_does_not_stop_another_and_backs_off(serve):
    serve({"/broken": Response(b"oops", 500), "/fine": Response(rss(item("a", "A", "x")))})
    results = {r.url.rsplit("/", 1)[1]: r for r in poll_due(NOW)}
    assert results["fine"].ok and not results["broken"].ok
    assert "HTTP 500" in results["broken"].error
    broken = db.session.scalar(select(Feed).where(Feed.url.like("%/broken")))
    fine = db.session.scalar(select(Feed).where(Feed.url.like("%/fine")))
    assert broken.consecutive_failures == 1 and broken.next_poll_at == NOW + timedelta(minutes=30)
    assert fine.next_poll_at == NOW + timedelta(minutes=15) and fine.last_success_at == NOW
    # Fifteen minutes on, only the healthy feed is due; the broken one waits out its backoff.
    assert [r.url for r in poll_due(NOW + timedelta(minutes=15))] == [fine.url]
    poll_due(NOW + timedelta(minutes=30))
    db.session.refresh(broken)
    assert broken.consecutive_failures == 2
    assert broken.next_poll_at == NOW + timedelta(minutes=30 + 60)


def test_default_feed_is_the_shipped_sample_file(make_app):
    app = make_app()
    with app.app_context():
        [result] = poll_all(NOW)
        assert result.ok and result.url.startswith("file:") and result.new >= 5
        [again] = poll_all(NOW + timedelta(minutes=15))
        assert again.ok and again.not_modified


def test_nul_bytes_and_an_overlong_etag_do_not_break_storage(serve):
    body = rss(
        item("nul\x00", "Title with \x00 NUL", "<p>Body \x00 text</p>", categories=["a\x00b"])
    )
    serve({"/feed": Response(body, headers={"Content-Type": RSS, "ETag": '"' + "e" * 600 + '"'})})
    [result] = poll_all(NOW)
    assert result.ok, result.error
    stored = updates()["nul"]
    assert stored.title == "Title with NUL" and stored.categories == ["ab"]
    assert db.session.scalar(select(Feed.etag)) is None


def test_feeds_follow_the_configured_urls(make_app, feed_server):
    feed_server.routes.update({"/a": Response(rss(item("a", "A", "x"))), "/b": Response(rss())})
    first = make_app(feed_urls=[feed_server.url("/a"), feed_server.url("/b")])
    with first.app_context():
        assert len(poll_due(NOW)) == 2
    # An operator drops /b from NOTIFIER_FEED_URLS: it is kept (with its updates) but not polled.
    second = make_app(feed_urls=[feed_server.url("/a")])
    with second.app_context():
        assert [r.url for r in poll_all(NOW)] == [feed_server.url("/a")]
        active = dict(db.session.execute(select(Feed.url, Feed.active)).all())
        assert active == {feed_server.url("/a"): True, feed_server.url("/b"): False}


@pytest.mark.parametrize(
    ("failures", "minutes"), [(0, 15), (1, 30), (2, 60), (6, 960), (7, 1440), (40, 1440)]
)
def test_backoff_doubles_and_stops_at_a_day(failures, minutes):
    assert next_delay(15, failures) == timedelta(minutes=minutes)


def test_a_concurrent_poll_that_stored_the_entry_first_is_absorbed(serve, feed_server):
    serve({"/feed": Response(rss(item("a", "A", "x")))})
    poll_all(NOW)
    feed_server.routes["/feed"] = Response(rss(item("a", "A", "x"), item("b", "B", "y")))
    feed_id = db.session.scalar(select(Feed.id))

    def other_poller_commits_first(session, flush_context, instances):
        with db.engine.begin() as conn:
            conn.execute(
                Update.__table__.insert().values(
                    feed_id=feed_id, guid="b", title="B (other poller)", content_html="",
                    content_text="", categories=[], content_hash="other", stored_at=NOW,
                    revision=1, baseline=False,
                )
            )  # fmt: skip

    event.listen(db.session(), "before_flush", other_poller_commits_first, once=True)
    [result] = poll_all(NOW + timedelta(minutes=15))
    assert result.ok, result.error
    assert (result.new, result.changed) == (0, 1)
    stored = updates()
    assert len(stored) == 2 and stored["b"].title == "B" and stored["b"].revision == 2
    assert db.session.scalar(select(Feed.consecutive_failures)) == 0


def test_dates_inside_link_urls_are_not_deadlines(serve):
    no_deadline = (
        "<p>Send comments to the team by the "
        "<a href='https://t.example.org/deadline/2031-07-15/'>usual route</a>.</p>"
    )
    deadline = (
        "<p>Read <a href='https://t.example.org/2031-04-01-paper.pdf'>the paper</a>: it is open "
        "for comment until 30 June 2031.</p>"
    )
    serve({"/feed": Response(rss(item("a", "Note", no_deadline), item("b", "Paper", deadline)))})
    poll_all(NOW)
    stored = updates()
    assert stored["a"].deadline is None
    assert "(https://t.example.org/deadline/2031-07-15/)" in stored["a"].content_text
    found = stored["b"].deadline
    assert found.at == datetime(2031, 6, 30, 22, 59, 59, tzinfo=UTC)
    assert found.sentence == "Read the paper: it is open for comment until 30 June 2031."
