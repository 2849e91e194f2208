"""Feed redirects: only to http(s), never to non-public addresses a feed's own URL is not on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from notifier.extensions import db
from notifier.feeds.addresses import AddressPolicy, kind
from notifier.feeds.fetch import FetchError, Limits, fetch
from notifier.feeds.poll import poll_all
from notifier.models import Feed, Update
from tests.support.feeds import RSS, feed_bytes
from tests.support.http import FeedServer, Response
from tests.support.tls import self_signed

NOW = datetime(2031, 5, 10, 12, 0, tzinfo=UTC)
LIMITS = Limits(1.0, 2.0, 3.0, 1_000_000)
# On Linux this reaches the machine's own services: an SSRF path past a loopback check.
ANY = "0.0.0.0"  # noqa: S104
FEED = Response(feed_bytes("wordpress.xml"), headers={"Content-Type": RSS})


def moved(location: str, status: int = 301) -> Response:
    return Response(b"", status, {"Location": location})


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("file:///etc/passwd", "refused a redirect to a file: URL"),
        ("ftp://127.0.0.1/feed.xml", "refused a redirect to a ftp: URL"),
        # Cloud metadata: nothing listens here, and nothing may even be tried.
        ("http://169.254.169.254/latest/meta-data/", "is a link-local address"),
        ("http://[fe80::1]/feed", "is a link-local address"),
        ("http://10.11.12.13/feed", "is a private address"),
    ],
)
def test_a_loopback_feed_may_not_redirect_to_another_scheme_or_kind_of_address(
    feed_server, location, message
):
    feed_server.routes["/feed"] = moved(location)
    with pytest.raises(FetchError, match=message):
        fetch(feed_server.url("/feed"), None, None, LIMITS, "test")


def test_a_redirect_to_this_machine_through_0_0_0_0_is_refused_before_it_connects(feed_server):
    feed_server.routes["/feed"] = moved(feed_server.url("/secret").replace("127.0.0.1", ANY))
    feed_server.routes["/secret"] = FEED
    with pytest.raises(FetchError, match="0.0.0.0: it is a reserved address"):
        fetch(feed_server.url("/feed"), None, None, LIMITS, "test")
    assert [path for path, _ in feed_server.requests] == ["/feed"]


def test_a_redirect_within_loopback_is_followed_for_a_loopback_feed(feed_server):
    feed_server.routes["/feed"] = moved(feed_server.url("/new").replace("127.0.0.1", "localhost"))
    feed_server.routes["/new"] = FEED
    fetched = fetch(feed_server.url("/feed"), None, None, LIMITS, "test")
    assert b"<rss" in fetched.body


def test_a_public_feed_whose_name_turns_to_loopback_when_connecting_is_refused(feed_server):
    """DNS rebinding: checked on the address the connection uses, not an earlier answer."""
    feed_server.routes["/feed"] = FEED
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    port = feed_server.httpd.server_address[1]
    with pytest.raises(FetchError, match="refused to connect to feeds.example.org"):
        fetch(
            f"http://feeds.example.org:{port}/feed",
            None,
            None,
            LIMITS,
            "test",
            resolver=lambda host, port: next(answers),
        )
    assert feed_server.requests == []


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("93.184.216.34", "public"),
        ("2606:2800:220:1:248:1893:25c8:1946", "public"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("fd00::2", "private"),
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        (ANY, "reserved"),
        ("::", "reserved"),
        ("224.0.0.1", "reserved"),
    ],
)
def test_address_kinds(address, expected):
    assert kind(address) == expected


@pytest.mark.parametrize("target", ["127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", ANY])
def test_a_public_feed_reaches_public_addresses_only(target):
    answers = {"feeds.example.org": ["93.184.216.34"], "elsewhere.example": [target]}
    policy = AddressPolicy.for_origin("feeds.example.org", 443, lambda host, port: answers[host])
    assert policy.addresses("feeds.example.org", 443) == ["93.184.216.34"]
    with pytest.raises(Exception, match="refused to connect to elsewhere.example"):
        policy.addresses("elsewhere.example", 443)


def test_a_host_with_public_and_private_addresses_is_reached_on_the_public_one_only():
    answers = {"feeds.example.org": ["10.0.0.7", "93.184.216.34"]}
    policy = AddressPolicy({"public"}, lambda host, port: answers[host])
    assert policy.addresses("feeds.example.org", 80) == ["93.184.216.34"]


def test_a_refused_redirect_records_the_error_and_keeps_the_feed_where_it_was(
    make_app, feed_server
):
    feed_server.routes["/feed"] = moved("http://169.254.169.254/latest/meta-data/")
    app = make_app(feed_urls=[feed_server.url("/feed")])
    with app.app_context():
        [result] = poll_all(NOW)
        assert not result.ok and "link-local" in result.error
        feed = db.session.scalar(select(Feed))
        assert feed.url == feed_server.url("/feed") and feed.consecutive_failures == 1


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """A real HTTPS feed server on loopback whose certificate this process trusts."""
    cert, context = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = FeedServer(tls=context).start()
    yield server
    server.stop()


def test_a_permanent_redirect_from_https_to_http_is_followed_but_never_stored(
    make_app, tls_server, feed_server
):
    feed_server.routes["/feed"] = FEED
    tls_server.routes["/feed"] = moved(feed_server.url("/feed"))
    secure = tls_server.url("/feed")
    app = make_app(feed_urls=[secure])
    with app.app_context():
        [result] = poll_all(NOW)
        assert result.ok and result.new == 3
        assert db.session.scalar(select(Feed.url)) == secure
        assert len(list(db.session.scalars(select(Update)))) == 3


def test_a_permanent_redirect_from_https_to_https_still_moves_the_feed(make_app, tls_server):
    tls_server.routes["/old"] = moved("/new", 308)
    tls_server.routes["/new"] = FEED
    app = make_app(feed_urls=[tls_server.url("/old")])
    with app.app_context():
        [result] = poll_all(NOW)
        assert result.ok
        assert db.session.scalar(select(Feed.url)) == tls_server.url("/new")
