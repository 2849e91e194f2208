"""`notifier doctor` against real parts: an aiosmtpd server, a closed port, a real DKIM key."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from notifier.models import utcnow
from notifier.schedules import locks
from tests.support.feeds import RSS, feed_bytes
from tests.support.http import Response
from tests.support.smtp import free_port


def doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = {line.split(":", 1)[0][5:]: line for line in result.output.splitlines()}
    return result.exit_code, lines


def test_a_healthy_deployment_passes_and_nothing_is_sent(make_app, smtp_server):
    app = make_app(mail_url=smtp_server.url)
    with app.app_context():
        locks.beat(locks.HEARTBEAT, "clock-1", utcnow())
        code, lines = doctor(app)
    assert code == 0, lines
    assert lines["smtp"] == f"OK   smtp: 127.0.0.1:{smtp_server.port}: EHLO; nothing sent"
    assert lines["database"].startswith("OK   database: ")
    assert lines["migrations"].startswith("OK   migrations: current (")
    assert lines["clock"].startswith("OK   clock: last heartbeat ")
    assert any(line.startswith("OK   feed file://") for line in lines.values())
    assert lines["dkim"].startswith("WARN dkim: not configured")
    assert smtp_server.received == []


def test_a_closed_smtp_port_fails_and_exits_1(make_app):
    port = free_port()
    app = make_app(mail_url=f"smtp://127.0.0.1:{port}")
    with app.app_context():
        code, lines = doctor(app)
    assert code == 1
    assert lines["smtp"].startswith(f"FAIL smtp: 127.0.0.1:{port}: ConnectionRefusedError")


def test_production_needs_https_a_long_key_a_live_clock_and_reachable_feeds(make_app):
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"
    app = make_app(env="production", base_url="http://notifier.test", feed_urls=[dead])
    with app.app_context():
        locks.beat(locks.HEARTBEAT, "clock-1", utcnow() - timedelta(hours=1))
        code, lines = doctor(app)
    assert code == 1
    assert lines["base URL"] == (
        "FAIL base URL: http://notifier.test is http in production: use https so links and "
        "cookies are safe"
    )
    assert lines["secret key"].startswith("FAIL secret key: shorter than 32 characters")
    assert lines["clock"].startswith("FAIL clock: last heartbeat 360")
    assert f"FAIL feed {dead}: unreachable: HTTP error: ConnectError" in "\n".join(lines.values())
    assert lines["mail"].startswith("WARN mail: written as .eml files")


def feed_lines(make_app, urls, **settings):
    app = make_app(feed_urls=urls, **settings)
    with app.app_context():
        output = app.test_cli_runner().invoke(args=["doctor"]).output
    return [line for line in output.splitlines() if line[5:].startswith("feed ")]


def test_a_feed_that_redirects_to_a_private_address_or_another_scheme_fails_without_a_fetch(
    make_app, feed_server
):
    # The same guard as a poll: a loopback feed may not lead the doctor to the private
    # network, a metadata service or a file on this machine.
    feed_server.routes["/private"] = Response(b"", 302, {"Location": "http://10.11.12.13/feed"})
    feed_server.routes["/meta"] = Response(b"", 301, {"Location": "http://169.254.169.254/"})
    feed_server.routes["/file"] = Response(b"", 302, {"Location": "file:///etc/passwd"})
    urls = [feed_server.url(path) for path in ("/private", "/meta", "/file")]
    lines = feed_lines(make_app, urls)
    assert lines == [
        f"FAIL feed {urls[0]}: unreachable: refused to connect to 10.11.12.13: it is a private "
        "address, and the feed's own URL is not",
        f"FAIL feed {urls[1]}: unreachable: refused to connect to 169.254.169.254: it is a "
        "link-local address, and the feed's own URL is not",
        f"FAIL feed {urls[2]}: unreachable: refused a redirect to a file: URL",
    ]
    assert [path for path, _ in feed_server.requests] == ["/private", "/meta", "/file"]


def test_a_feed_over_the_size_cap_fails_and_one_within_it_passes(make_app, feed_server):
    body = feed_bytes("wordpress.xml")
    feed_server.routes["/feed"] = Response(body, headers={"Content-Type": RSS})
    url = feed_server.url("/feed")
    [small_cap] = feed_lines(make_app, [url], feed_max_bytes=len(body) - 1)
    assert small_cap == (
        f"FAIL feed {url}: unreachable: body of {len(body)} bytes is over the "
        f"{len(body) - 1} byte cap"
    )
    [room] = feed_lines(make_app, [url], feed_max_bytes=len(body))
    assert room.startswith(f"OK   feed {url}: reachable, ")


def test_dkim_signs_and_verifies_with_its_own_key_without_dns(make_app, tmp_path):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    settings = dict(dkim_selector="mail2026", dkim_domain="example.org")
    good = make_app(dkim_private_key_path=str(key), **settings)
    with good.app_context():
        _, lines = doctor(good)
    assert lines["dkim"] == (
        "OK   dkim: signs and verifies with its own key; publish its TXT at "
        "mail2026._domainkey.example.org"
    )
    junk = tmp_path / "junk.pem"
    junk.write_bytes(
        b"-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n"
    )
    bad = make_app(dkim_private_key_path=str(junk), **settings)
    with bad.app_context():
        code, lines = doctor(bad)
    assert code == 1 and lines["dkim"].startswith("FAIL dkim: the key cannot sign")


def test_starttls_and_auth_are_checked_against_a_real_server(make_app, tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.support.smtp import RecordingHandler
    from tests.support.tls import self_signed

    _, context = self_signed(tmp_path)

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (auth_data.login, auth_data.password) == (b"ops", b"right")
        # handled=False: aiosmtpd itself answers a refusal with 535.
        return AuthResult(success=good, handled=good)

    port = free_port()
    controller = Controller(
        RecordingHandler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        for password, expected in (
            ("right", f"OK   smtp: 127.0.0.1:{port}: EHLO, STARTTLS, AUTH as ops; nothing sent"),
            ("wrong", f"FAIL smtp: 127.0.0.1:{port}: AUTH refused (535)"),
        ):
            url = f"smtp://ops:{password}@127.0.0.1:{port}?starttls=true&verify=false"
            app = make_app(mail_url=url)
            with app.app_context():
                _, lines = doctor(app)
            assert lines["smtp"] == expected
    finally:
        controller.stop()
