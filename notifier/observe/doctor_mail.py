"""The doctor's mail checks: the SMTP relay without sending, and DKIM without DNS."""

from __future__ import annotations

import base64
import smtplib
import ssl

import dkim
from dkim.crypto import parse_pem_private_key

from notifier.mail.backends import FileBackend, from_url
from notifier.mail.signing import signer_from
from notifier.observe.checks import FAIL, OK, WARN, Check

SAMPLE = (
    b"From: doctor@example.org\r\nTo: doctor@example.org\r\nSubject: self-check\r\n"
    b"Date: Tue, 01 Dec 2026 00:00:00 +0000\r\nMessage-ID: <doctor@example.org>\r\n\r\nHello.\r\n"
)


def smtp(settings):
    backend = from_url(settings.mail_url)
    if isinstance(backend, FileBackend):
        status = WARN if settings.env == "production" else OK
        return Check(status, "mail", f"written as .eml files to {backend.folder}: nothing is sent")
    where = f"{backend.host}:{backend.port}"
    steps = []
    try:
        if backend.implicit_tls:
            conn = smtplib.SMTP_SSL(backend.host, backend.port, timeout=10, context=backend.context)
            steps.append("TLS")
        else:
            conn = smtplib.SMTP(backend.host, backend.port, timeout=10)
        with conn:
            code, _ = conn.ehlo()
            if code != 250:
                return Check(FAIL, "smtp", f"{where} refused EHLO ({code})")
            steps.append("EHLO")
            if backend.starttls:
                conn.starttls(context=backend.context)
                conn.ehlo()
                steps.append("STARTTLS")
            elif not backend.implicit_tls and conn.has_extn("starttls"):
                steps.append("STARTTLS offered but not used (add ?starttls=true)")
            if backend.username:
                conn.login(backend.username, backend.password or "")
                steps.append(f"AUTH as {backend.username}")
    except smtplib.SMTPAuthenticationError as exc:
        return Check(FAIL, "smtp", f"{where}: AUTH refused ({exc.smtp_code})")
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        done = f" after {', '.join(steps)}" if steps else ""
        return Check(FAIL, "smtp", f"{where}{done}: {type(exc).__name__}: {exc}")
    unused = any("not used" in step for step in steps)
    return Check(WARN if unused else OK, "smtp", f"{where}: {', '.join(steps)}; nothing sent")


def dkim_check(settings):
    signer = signer_from(settings)
    if signer is None:
        return Check(WARN, "dkim", "not configured: receivers trust unsigned bulk mail less")
    selector, domain = signer.selector.decode(), signer.domain.decode()
    try:
        record = public_record(signer.key)
        signed = signer.sign(SAMPLE)
        good = dkim.verify(signed, dnsfunc=lambda _name, timeout=5: record)
    except Exception as exc:  # noqa: BLE001 - dkimpy raises several kinds for a bad key
        return Check(FAIL, "dkim", f"the key cannot sign: {type(exc).__name__}: {exc}")
    if not good:
        return Check(FAIL, "dkim", "a message signed with the key does not verify against it")
    txt = f"{selector}._domainkey.{domain}"
    return Check(OK, "dkim", f"signs and verifies with its own key; publish its TXT at {txt}")


def public_record(private_pem: bytes) -> bytes:
    """The DNS TXT record of the key's public half: what the domain must publish."""
    key = parse_pem_private_key(private_pem)
    numbers = _integer(key["modulus"]) + _integer(key["publicExponent"])
    der = _der(0x30, numbers)  # a SEQUENCE: RFC 8017 RSAPublicKey, which dkimpy reads
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def _integer(value: int) -> bytes:
    # DER integers are signed: a leading zero byte keeps a high first bit positive.
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _der(tag: int, body: bytes) -> bytes:
    # dkimpy's own encoder mishandles lengths over 127 bytes (a 2048-bit modulus is 257).
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + body
