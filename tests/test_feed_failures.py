"""Feeds that fail: each records its error and stores nothing, sends nothing, keeps the ETag."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from notifier.extensions import db
from notifier.feeds.parse import ParseError, parse
from notifier.feeds.poll import poll_all
from notifier.models import Feed, Outbox, Update
from tests.support.feeds import (
    FEEDS,
    RSS,
    chunked,
    drip,
    drip_headers,
    feed_bytes,
    stall,
    with_etag,
)
from tests.support.http import Response

NOW = datetime(2031, 5, 10, 12, 0, tzinfo=UTC)
MB = 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title><link>https://x.example/</link>
<description>d</description><item><title>&lol4;</title><guid>laugh</guid></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>
<description>d</description><item><title>&xxe;</title><guid>xxe</guid></item></channel></rss>"""

HTML_PAGE = b"""<!DOCTYPE html><html><head><title>Updates</title></head>
<body><h1>Updates</h1><p>Our feed has moved. <a href="/feed">Find it here</a>.</p></body></html>"""


def _gzip_bomb() -> bytes:
    # 50 MB of zeros compresses to about 50 KB: small on the wire, huge once decoded.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join(compressor.compress(block) for _ in range(50)) + compressor.flush()


def _ten_megabytes():
    yield b"<?xml version='1.0'?><rss version='2.0'><channel><title>big</title>"
    item = b"<item><title>padding</title><description>" + b"x" * 65000 + b"</description></item>"
    for _ in range(10 * MB // len(item) + 1):
        yield item


BIG = b"".join(_ten_megabytes())

CASES = {
    "http-500": (Response(b"Internal Server Error", 500), "HTTP 500"),
    "http-404": (Response(b"gone", 404), "HTTP 404"),
    "timeout": (stall(3), "timed out"),
    "drip": (drip(20), "deadline"),
    "drip-headers": (drip_headers(20), "deadline"),
    "ten-mb-declared": (Response(BIG, headers={"Content-Type": RSS}), "byte cap"),
    "ten-mb-chunked": (chunked(_ten_megabytes, {"Content-Type": RSS}), "byte cap"),
    "gzip-bomb": (
        Response(_gzip_bomb(), headers={"Content-Type": RSS, "Content-Encoding": "gzip"}),
        "decoded body is over",
    ),
    "html-page": (Response(HTML_PAGE, headers={"Content-Type": "text/html"}), "not an RSS or Atom"),
    "garbage": (Response(bytes(range(256)) * 4), "not an RSS or Atom"),
    "billion-laughs": (Response(BILLION_LAUGHS, headers={"Content-Type": RSS}), "entities"),
    "external-entity": (Response(EXTERNAL_ENTITY, headers={"Content-Type": RSS}), "entities"),
    # A body that names a local file: feedparser would read that file if handed plain bytes.
    "local-path": (Response(str(FEEDS / "wordpress.xml").encode()), "not an RSS or Atom"),
    "broken-gzip": (
        Response(b"\x1f\x8b\x08\x00garbage", headers={"Content-Encoding": "gzip"}),
        "cannot decode",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_failing_feed_records_error_and_changes_nothing_else(case, make_app, feed_server):
    good = feed_bytes("wordpress.xml")
    feed_server.routes["/feed"] = with_etag(good, '"good-1"')
    app = make_app(
        feed_urls=[feed_server.url("/feed")],
        feed_connect_timeout=1.0,
        feed_read_timeout=1.5,
        feed_deadline=2.5,
    )
    with app.app_context():
        [first] = poll_all(NOW)
        assert first.ok
        stored_before = db.session.scalar(select(func.count(Update.id)))
        route, message = CASES[case]
        feed_server.routes["/feed"] = route
        [result] = poll_all(NOW + timedelta(minutes=15))
        assert not result.ok
        assert message in result.error
        feed = db.session.scalar(select(Feed))
        assert feed.last_error == result.error
        assert feed.last_error_at == NOW + timedelta(minutes=15)
        assert feed.consecutive_failures == 1
        assert feed.etag == '"good-1"'
        assert feed.last_success_at == NOW
        assert db.session.scalar(select(func.count(Update.id))) == stored_before
        assert db.session.scalar(select(func.count(Outbox.id))) == 0


def test_failure_on_a_new_feed_stores_nothing(make_app, feed_server):
    feed_server.routes["/feed"] = Response(BILLION_LAUGHS, headers={"Content-Type": RSS})
    app = make_app(feed_urls=[feed_server.url("/feed")])
    with app.app_context():
        [result] = poll_all(NOW)
        assert not result.ok
        feed = db.session.scalar(select(Feed))
        assert feed.baselined is False and feed.etag is None
        assert db.session.scalar(select(func.count(Update.id))) == 0


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_declarations_are_refused_in_any_encoding(payload):
    utf16 = payload.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    for body in (payload, "\ufeff".encode("utf-16-le") + utf16.decode().encode("utf-16-le")):
        with pytest.raises(ParseError, match="entities"):
            parse(body)


def test_gzip_feed_within_the_cap_is_read(make_app, feed_server):
    body = gzip.compress(feed_bytes("wordpress.xml"))
    feed_server.routes["/feed"] = Response(
        body, headers={"Content-Type": RSS, "Content-Encoding": "gzip"}
    )
    app = make_app(feed_urls=[feed_server.url("/feed")])
    with app.app_context():
        [result] = poll_all(NOW)
        assert result.ok and result.new == 3


def test_file_feed_over_the_cap_is_refused(make_app, tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(BIG)
    app = make_app(feed_urls=[path.as_uri()])
    with app.app_context():
        [result] = poll_all(NOW)
        assert not result.ok and "byte cap" in result.error
