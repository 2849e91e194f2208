"""Bounces and complaints: DSN and ARF reports from the MTA pipe or the webhook, and unsuppress."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from notifier.delivery.engine import deliver_due
from notifier.delivery.tracking import tracking_from
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import AuditEntry, Bounce, Outbox, Subscriber, utcnow
from tests.support.mailing import queue, rows, subscriber

DATA = Path(__file__).parent / "data" / "bounces"
SECRET = "a-long-shared-webhook-secret"


def _sent_by_smtp(person: Subscriber, smtp_server) -> int:
    """Queue one email for person and deliver it over SMTP; return its outbox id."""
    now = utcnow()
    [row_id] = queue("already_subscribed", [person], now=now)
    backend = from_url(smtp_server.url)
    deliver_due(backend, now)
    backend.close()
    return row_id


def _tracking():
    return tracking_from(current_app.config["NOTIFIER"])


def _sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _person(address: str) -> Subscriber:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == address))


def _bounce_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Bounce))


def _mailed(person: Subscriber, days_ago: float = 1) -> Outbox:
    """An email we sent this person: a report naming only their address counts after one."""
    sent_at = utcnow() - timedelta(days=days_ago)
    row = Outbox(
        key=f"sent-earlier:{person.id}:{days_ago}",
        kind="confirm",
        to_address=person.email,
        subscriber_id=person.id,
        payload={},
        status="sent",
        attempts=1,
        created_at=sent_at,
        next_attempt_at=sent_at,
        sent_at=sent_at,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def hook_app(make_app):
    app = make_app(bounce_webhook_secret=SECRET, verp_return_path="bounces@notifier.example.org")
    with app.app_context():
        yield app


def test_a_hard_bounce_report_suppresses_and_cancels_queued_mail(runner, tmp_path):
    person = subscriber("gone@example.org")
    other = subscriber("fine@example.org")
    _mailed(person)
    queue("already_subscribed", [person, other])
    report = tmp_path / "dsn.eml"
    report.write_bytes(_sample("dsn-hard.eml"))

    result = runner.invoke(args=["bounces", "ingest", str(report)])
    assert result.exit_code == 0, result.output
    assert "hard bounce for gone@example.org" in result.output
    gone = _person("gone@example.org")
    assert gone.status == "suppressed" and gone.suppressed_at is not None
    assert "hard bounce" in gone.suppressed_reason
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.kind, bounce.status_code, bounce.subscriber_id) == ("hard", "5.1.1", gone.id)
    assert "User unknown" in bounce.diagnostic
    queued = [r.status for r in rows() if r.kind == "already_subscribed"]
    assert queued == ["cancelled", "queued"]
    assert _person("fine@example.org").status == "confirmed"


def test_soft_bounces_add_up_to_a_suppression(runner):
    _mailed(subscriber("full@example.org"))
    for expected_score in (1, 2):
        result = runner.invoke(args=["bounces", "ingest"], input=_sample("dsn-delayed.eml"))
        assert result.exit_code == 0, result.output
        person = _person("full@example.org")
        assert (person.bounce_score, person.status) == (expected_score, "confirmed")
    runner.invoke(args=["bounces", "ingest"], input=_sample("dsn-delayed.eml"))
    person = _person("full@example.org")
    assert (person.bounce_score, person.status) == (3, "suppressed")
    assert _bounce_count() == 3


def test_an_abuse_report_is_a_complaint_that_suppresses(runner):
    _mailed(subscriber("annoyed@example.org"))
    result = runner.invoke(args=["bounces", "ingest"], input=_sample("arf-abuse.eml"))
    assert result.exit_code == 0, result.output
    assert "complaint from annoyed@example.org" in result.output
    person = _person("annoyed@example.org")
    assert (person.status, person.suppressed_reason) == ("suppressed", "complaint")
    assert db.session.scalar(select(Bounce.kind)) == "complaint"


def test_a_verp_bounce_maps_back_to_the_row_that_was_sent(hook_app, smtp_server):
    person = subscriber("verp@example.org")
    row_id = _sent_by_smtp(person, smtp_server)
    return_path = smtp_server.received[0].mail_from
    assert return_path == f"bounces+{row_id}-{_tracking().signature(row_id)}@notifier.example.org"

    # The bounce comes from where the mail was forwarded: only the VERP address names us.
    report = _sample("dsn-verp.eml").replace(
        b"bounces+OUTBOX_ID@notifier.example.org", return_path.encode()
    )
    result = hook_app.test_cli_runner().invoke(args=["bounces", "ingest"], input=report)
    assert result.exit_code == 0, result.output
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.outbox_id, bounce.email, bounce.kind) == (row_id, "verp@example.org", "hard")
    assert _person("verp@example.org").status == "suppressed"


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("not-a-report.eml", "not a delivery or abuse report"),
        ("dsn-no-recipient.eml", "delivery report names no recipient"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(runner, sample, message):
    subscriber("gone@example.org")
    result = runner.invoke(args=["bounces", "ingest"], input=_sample(sample))
    assert result.exit_code == 2
    assert f"notifier: error: cannot use this report: {message}" in result.output
    assert _bounce_count() == 0
    assert _person("gone@example.org").status == "confirmed"


def test_empty_input_is_a_clear_error(runner):
    result = runner.invoke(args=["bounces", "ingest"], input=b"")
    assert result.exit_code == 2
    assert "not a delivery or abuse report" in result.output


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-secret"}, {"Authorization": f"Basic {SECRET}"}],
)
def test_the_webhook_refuses_without_the_secret(hook_app, headers):
    subscriber("gone@example.org")
    response = hook_app.test_client().post(
        "/api/v1/bounces", json={"email": "gone@example.org", "type": "hard"}, headers=headers
    )
    assert response.status_code == 401
    assert _bounce_count() == 0
    assert _person("gone@example.org").status == "confirmed"


def test_the_webhook_is_off_without_a_secret(client):
    subscriber("gone@example.org")
    response = client.post("/api/v1/bounces", json={"email": "gone@example.org", "type": "hard"})
    assert response.status_code == 404
    assert _bounce_count() == 0


def test_the_webhook_records_json_bounces_and_complaints(hook_app):
    subscriber("gone@example.org")
    subscriber("slow@example.org")
    subscriber("cross@example.org")
    response = hook_app.test_client().post(
        "/api/v1/bounces",
        json=[
            {"email": "Gone@Example.org", "type": "hard", "diagnostic": "550 5.1.1 unknown"},
            {"email": "slow@example.org", "type": "soft"},
            {"email": "cross@example.org", "type": "complaint"},
        ],
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert response.status_code == 200, response.json
    assert len(response.json["recorded"]) == 3
    assert _person("gone@example.org").status == "suppressed"
    assert (_person("slow@example.org").status, _person("slow@example.org").bounce_score) == (
        "confirmed",
        1,
    )
    assert _person("cross@example.org").suppressed_reason == "complaint"


def test_the_webhook_takes_a_raw_report(hook_app):
    _mailed(subscriber("annoyed@example.org"))
    response = hook_app.test_client().post(
        "/api/v1/bounces",
        data=_sample("arf-abuse.eml"),
        content_type="message/rfc822",
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert response.status_code == 200, response.json
    assert _person("annoyed@example.org").status == "suppressed"


@pytest.mark.parametrize(
    "body",
    [
        [{"email": "gone@example.org", "type": "hard"}, {"email": "nobody", "type": "hard"}],
        {"email": "gone@example.org", "type": "bounced"},
        [],
    ],
)
def test_the_webhook_refuses_bad_json_and_changes_nothing(hook_app, body):
    subscriber("gone@example.org")
    response = hook_app.test_client().post(
        "/api/v1/bounces", json=body, headers={"Authorization": f"Bearer {SECRET}"}
    )
    assert response.status_code == 400
    assert response.json["message"]
    assert _bounce_count() == 0
    assert _person("gone@example.org").status == "confirmed"


def test_unsuppress_lets_mail_flow_again(runner, smtp_server):
    person = subscriber("back@example.org", "suppressed")
    person.bounce_score = 3
    db.session.commit()
    result = runner.invoke(args=["subscribers", "unsuppress", "Back@Example.org"])
    assert result.exit_code == 0, result.output
    assert "back@example.org is no longer suppressed (now confirmed)" in result.output
    person = _person("back@example.org")
    assert (person.status, person.bounce_score, person.suppressed_at) == ("confirmed", 0, None)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("%unsuppress")))
    assert (audit.actor, audit.target, audit.detail["bounce_score"]) == ("cli", person.email, 3)

    now = utcnow()
    queue("already_subscribed", [person], now=now)
    backend = from_url(smtp_server.url)
    assert deliver_due(backend, now).sent == 1
    backend.close()


@pytest.mark.parametrize(
    ("address", "message"),
    [("nobody@example.org", "no subscriber has the address"), ("fine@example.org", "is confirmed")],
)
def test_unsuppress_refuses_what_it_cannot_do(runner, address, message):
    subscriber("fine@example.org")
    result = runner.invoke(args=["subscribers", "unsuppress", address])
    assert result.exit_code == 2
    assert message in result.output


def _ingest(app, report: bytes):
    return app.test_cli_runner().invoke(args=["bounces", "ingest"], input=report)


@pytest.mark.parametrize(
    "forged_mark",
    [
        b"Delivered-To: bounces+ROW@notifier.example.org",  # the old, unsigned form
        b"Delivered-To: bounces+ROW-0123456789ab@notifier.example.org",  # a guessed signature
        b"Delivered-To: x@y.example\r\nX-Original-To: bounces+ROW@notifier.example.org",
    ],
)
def test_a_forged_dsn_naming_a_guessable_row_suppresses_nobody(hook_app, smtp_server, forged_mark):
    victim = subscriber("victim@example.org")
    row_id = _sent_by_smtp(victim, smtp_server)

    # Anyone can mail the bounce address a report naming row ids in our old format.
    report = _sample("dsn-verp.eml").replace(
        b"Delivered-To: bounces+OUTBOX_ID@notifier.example.org",
        forged_mark.replace(b"ROW", str(row_id).encode()),
    )
    report = report.replace(b"OUTBOX_ID", str(row_id).encode())
    result = _ingest(hook_app, report)
    assert result.exit_code == 2
    assert "names no message of ours and no address we mailed" in result.output
    assert _bounce_count() == 0
    assert _person("victim@example.org").status == "confirmed"


def test_a_forged_message_id_is_not_trusted_and_ours_is(hook_app, smtp_server):
    victim = subscriber("victim@example.org")
    row_id = _sent_by_smtp(victim, smtp_server)
    ours = smtp_server.received[0].message["Message-ID"]
    assert ours.startswith(f"<{row_id}.{_tracking().signature(row_id)}.")

    def report(message_id: str) -> bytes:
        return (
            "From: mailer-daemon@forwarder.example.net\r\n"
            "To: someone@notifier.example.org\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; forwarder.example.net\r\n\r\n"
            "Final-Recipient: rfc822; forwarded@elsewhere.example.com\r\n"
            "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: {message_id}\r\n\r\n--b--\r\n"
        ).encode()

    guessed = f"<{row_id}.already_subscribed.{victim.id}@notifier.example.org>"
    assert _ingest(hook_app, report(guessed)).exit_code == 2
    assert _person("victim@example.org").status == "confirmed"

    result = _ingest(hook_app, report(ours))
    assert result.exit_code == 0, result.output
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.outbox_id, bounce.email) == (row_id, "victim@example.org")
    assert _person("victim@example.org").status == "suppressed"


def test_a_report_by_address_alone_counts_only_for_an_address_mailed_recently(runner):
    long_ago = subscriber("gone@example.org")
    _mailed(long_ago, days_ago=45)
    result = runner.invoke(args=["bounces", "ingest"], input=_sample("dsn-hard.eml"))
    assert result.exit_code == 2
    assert "no address we mailed in the last 30 days (gone@example.org)" in result.output
    assert _person("gone@example.org").status == "confirmed" and _bounce_count() == 0

    _mailed(long_ago, days_ago=2)
    result = runner.invoke(args=["bounces", "ingest"], input=_sample("dsn-hard.eml"))
    assert result.exit_code == 0, result.output
    assert _person("gone@example.org").status == "suppressed"
