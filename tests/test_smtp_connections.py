"""The SMTP backend against real servers on loopback: STARTTLS, SMTPS (implicit TLS), AUTH."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from notifier.mail.backends import ConnectionLost, from_url
from tests.support.smtp import RecordingHandler, free_port

MESSAGE = b"From: a@notifier.example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nHello.\r\n"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"notifier",
        b"s3cret pass",
    )
    return AuthResult(success=ok)


def serve(**options):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return handler, controller


def serve_with_auth(certificate):
    """A server that insists on STARTTLS, then on AUTH."""
    return serve(
        tls_context=certificate,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )


def test_starttls_with_auth_delivers(certificate):
    handler, controller = serve_with_auth(certificate)
    try:
        backend = from_url(
            f"smtp://notifier:s3cret%20pass@127.0.0.1:{controller.port}?starttls=true&verify=false"
        )
        result = backend.send("a@notifier.example.org", "b@example.org", MESSAGE)
        backend.close()
    finally:
        controller.stop()
    assert result.reply.startswith("250")
    [received] = handler.received
    assert received.rcpt_tos == ["b@example.org"]
    assert b"Hello." in received.data


def test_wrong_password_leaves_the_message_due_rather_than_failing_it(certificate):
    handler, controller = serve_with_auth(certificate)
    try:
        backend = from_url(
            f"smtp://notifier:wrong@127.0.0.1:{controller.port}"
            "?starttls=true&verify=false&timeout=2"
        )
        with pytest.raises(ConnectionLost) as caught:
            backend.send("a@notifier.example.org", "b@example.org", MESSAGE)
        backend.close()
    finally:
        controller.stop()
    assert caught.value.before_send
    assert handler.received == []


def test_starttls_refuses_an_unverifiable_certificate_by_default(certificate):
    handler, controller = serve(tls_context=certificate, require_starttls=True)
    try:
        backend = from_url(f"smtp://127.0.0.1:{controller.port}?starttls=true")
        with pytest.raises(ConnectionLost) as caught:
            backend.send("a@notifier.example.org", "b@example.org", MESSAGE)
    finally:
        controller.stop()
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert handler.received == []


def test_smtps_implicit_tls_delivers(certificate):
    handler, controller = serve(ssl_context=certificate)
    try:
        backend = from_url(f"smtps://127.0.0.1:{controller.port}?verify=false")
        result = backend.send("a@notifier.example.org", "b@example.org", MESSAGE)
        backend.close()
    finally:
        controller.stop()
    assert result.reply.startswith("250")
    assert len(handler.received) == 1
