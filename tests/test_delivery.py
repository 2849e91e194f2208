"""The delivery engine against a real SMTP server: retries, bounces, outages, rules, limits."""

from __future__ import annotations

import threading
import time
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from notifier.delivery.engine import deliver_due
from notifier.delivery.rate import TokenBucket
from notifier.delivery.rules import LIST_KINDS, RECIPIENT_STATUSES, refusal
from notifier.delivery.store import claim
from notifier.delivery.tracking import tracking_from
from notifier.emails import RENDERERS
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.mail.message import Email
from notifier.models import Bounce, Outbox, Subscriber, utcnow
from tests.support.mailing import crowd, queue, rows, subscriber
from tests.support.smtp import SmtpServer


@pytest.fixture
def backend(smtp_server):
    backend = from_url(smtp_server.url)
    yield backend
    backend.close()


@pytest.fixture
def note_kind():
    """A test-only list email for confirmed subscribers, registered for the test's length."""

    def note(row):
        return Email(
            to=row.to_address,
            subject=row.payload.get("subject", "A note"),
            text=row.payload.get("text", "Hello."),
            html=f"<p>{row.payload.get('text', 'Hello.')}</p>",
            unsubscribe_url=f"http://notifier.test/unsubscribe/t{row.subscriber_id}",
        )

    RENDERERS["test_note"] = note
    RECIPIENT_STATUSES["test_note"] = frozenset({"confirmed"})
    yield "test_note"
    RENDERERS.pop("test_note")
    RECIPIENT_STATUSES.pop("test_note")


def test_4xx_is_retried_with_backoff_then_fails_after_the_retry_period(app, smtp_server, backend):
    now = utcnow()
    queue("confirm", [subscriber("greylisted@example.org", "pending")], now=now)
    smtp_server.handler.replies.extend(["451 4.7.1 greylisted, try later"] * 2)

    first = deliver_due(backend, now)
    [row] = rows()
    assert (first.retried, row.status, row.attempts) == (1, "queued", 1)
    assert "451" in row.last_error
    first_wait = row.next_attempt_at - now
    assert timedelta(seconds=45) <= first_wait <= timedelta(seconds=75)
    # Not due yet: a pass now sends nothing.
    assert deliver_due(backend, now).handled == 0

    second = deliver_due(backend, row.next_attempt_at)
    [row] = rows()
    assert (second.retried, row.attempts) == (1, 2)
    assert row.next_attempt_at - now > first_wait  # the wait grows

    # The server keeps refusing for three days: the row fails, and is never sent after that.
    smtp_server.handler.replies.extend(["451 4.7.1 still busy"] * 200)
    moment = row.next_attempt_at
    for _ in range(200):
        deliver_due(backend, moment)
        row = rows()[0]
        if row.status != "queued":
            break
        moment = row.next_attempt_at
    assert row.status == "failed"
    assert "gave up after" in row.last_error and "72 hours" in row.last_error
    assert moment <= row.created_at + timedelta(hours=72)
    assert smtp_server.received == []


def test_4xx_then_accepted_is_sent_once(app, smtp_server, backend):
    now = utcnow()
    queue("confirm", [subscriber("later@example.org", "pending")], now=now)
    smtp_server.handler.replies.append("421 4.3.2 busy")
    deliver_due(backend, now)
    tally = deliver_due(backend, rows()[0].next_attempt_at)
    assert tally.sent == 1
    assert [m.rcpt_tos for m in smtp_server.received] == [["later@example.org"]]
    assert rows()[0].status == "sent"


def test_5xx_fails_at_once_suppresses_and_records_a_hard_bounce(
    app, smtp_server, backend, note_kind
):
    now = utcnow()
    person = subscriber("gone@example.org")
    queue(note_kind, [person], now=now)
    # A second email for the same address is queued behind it.
    from notifier.delivery.outbox import enqueue

    enqueue("later-note", note_kind, person.email, subscriber_id=person.id, now=now)
    db.session.commit()
    smtp_server.handler.replies.append("550 5.1.1 no such user")

    tally = deliver_due(backend, now)
    first, second = rows()
    assert (tally.sent, tally.failed) == (0, 1)
    assert (first.status, first.attempts) == ("failed", 1)
    assert first.smtp_reply.startswith("550")
    assert second.status == "cancelled" and "suppressed" in second.last_error
    person = db.session.get(Subscriber, person.id)
    assert person.status == "suppressed" and person.suppressed_at is not None
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.email, bounce.kind, bounce.status_code, bounce.outbox_id) == (
        "gone@example.org",
        "hard",
        "550",
        first.id,
    )
    # Never retried, never sent.
    assert deliver_due(backend, now + timedelta(days=1)).handled == 0
    assert smtp_server.received == []


def test_server_gone_mid_batch_leaves_the_rest_due(app, smtp_server, backend, note_kind):
    now = utcnow()
    queue(note_kind, crowd(10), now=now)
    smtp_server.vanish_after(4)

    tally = deliver_due(backend, now)
    assert tally.server_gone
    assert (tally.sent, tally.retried, tally.failed) == (4, 1, 0)
    all_rows = rows()
    assert [r.status for r in all_rows] == ["sent"] * 4 + ["queued"] * 6
    in_flight = all_rows[4]
    assert in_flight.attempts == 1 and in_flight.next_attempt_at > now
    for row in all_rows[5:]:
        # Untouched: due now, no attempt burned, no lease held.
        assert (row.attempts, row.claimed_by, row.last_error) == (0, None, None)
        assert row.next_attempt_at <= now

    # While the server is away, a pass costs nothing: no attempt burned, nothing failed.
    again = deliver_due(backend, now)
    assert again.server_gone and again.handled == 0
    assert [r.attempts for r in rows()[5:]] == [0] * 5


def test_a_stale_connection_is_reopened(app, smtp_server, backend, note_kind):
    now = utcnow()
    people = crowd(2)
    queue(note_kind, people[:1], now=now)
    deliver_due(backend, now)
    # The server closes the idle connection; the next send must reconnect by itself.
    backend._conn.sock.close()
    queue(note_kind, people[1:], now=now)
    assert deliver_due(backend, now).sent == 1
    assert len(smtp_server.received) == 2


def test_message_over_the_size_limit_fails_with_that_reason(make_app, smtp_server, note_kind):
    app = make_app(mail_max_bytes=5000)
    with app.app_context():
        now = utcnow()
        queue(note_kind, [subscriber("big@example.org")], now=now, payload={"text": "x " * 5000})
        backend = from_url(smtp_server.url)
        tally = deliver_due(backend, now)
        backend.close()
        [row] = rows()
        assert tally.failed == 1 and row.status == "failed"
        assert "over mail_max_bytes (5000)" in row.last_error
        assert smtp_server.received == []


RULES = [
    # kind, subscriber status, sent?
    ("confirm", "pending", True),
    ("confirm", "confirmed", False),
    ("confirm", "unsubscribed", False),
    ("confirm", "suppressed", False),
    ("already_subscribed", "confirmed", True),
    ("already_subscribed", "pending", False),
    ("already_subscribed", "suppressed", False),
    ("test_note", "confirmed", True),
    ("test_note", "pending", False),
    ("test_note", "unsubscribed", False),
    ("test_note", "suppressed", False),
]


@pytest.mark.parametrize(("kind", "status", "sent"), RULES)
def test_who_may_receive_what_is_checked_at_send_time(
    app, smtp_server, backend, note_kind, kind, status, sent
):
    now = utcnow()
    person = subscriber("someone@example.org", "pending" if kind == "confirm" else "confirmed")
    queue(kind, [person], now=now)
    # The status changes after the email was queued; the send-time rule decides.
    person.status = status
    db.session.commit()
    tally = deliver_due(backend, now)
    [row] = rows()
    assert (row.status == "sent") is sent
    assert len(smtp_server.received) == (1 if sent else 0)
    if not sent:
        assert tally.cancelled == 1 and row.status == "cancelled" and row.last_error


def test_every_list_kind_goes_to_confirmed_subscribers_only(app):
    for kind in LIST_KINDS:
        for status in ("pending", "unsubscribed", "suppressed"):
            assert refusal(kind, Subscriber(email="a@b.org", status=status)) is not None
        assert refusal(kind, Subscriber(email="a@b.org", status="confirmed")) is None


def test_stop_finishes_the_message_in_flight_and_hands_the_rest_back(app, smtp_server, note_kind):
    now = utcnow()
    queue(note_kind, crowd(6), now=now)
    stop = threading.Event()

    class StopAfterTwo:
        def __init__(self, inner):
            self.inner, self.count = inner, 0

        def send(self, sender, recipient, message):
            result = self.inner.send(sender, recipient, message)
            self.count += 1
            if self.count == 2:
                stop.set()  # SIGTERM arrives while the second message is in flight
            return result

        def close(self):
            self.inner.close()

    backend = StopAfterTwo(from_url(smtp_server.url))
    tally = deliver_due(backend, now, stop=stop)
    backend.close()
    assert tally.sent == 2 and len(smtp_server.received) == 2
    left = rows()[2:]
    assert all(r.status == "queued" and r.claimed_by is None for r in left)
    # Another worker can take them at once.
    assert len(claim(now, "other", 100, 300)) == 4


def test_an_expired_lease_is_taken_back_and_a_live_one_is_not(app, note_kind):
    now = utcnow()
    queue(note_kind, crowd(3), now=now)
    assert len(claim(now, "crashed-worker", 100, 300)) == 3
    assert claim(now + timedelta(seconds=299), "other", 100, 300) == []
    assert len(claim(now + timedelta(seconds=301), "other", 100, 300)) == 3


def test_verp_return_path_names_the_row(make_app, smtp_server, note_kind):
    app = make_app(verp_return_path="bounces@notifier.example.org")
    with app.app_context():
        now = utcnow()
        [row_id] = queue(note_kind, [subscriber("verp@example.org")], now=now)
        backend = from_url(smtp_server.url)
        deliver_due(backend, now)
        backend.close()
        [received] = smtp_server.received
        signature = tracking_from(app.config["NOTIFIER"]).signature(row_id)
        assert received.mail_from == f"bounces+{row_id}-{signature}@notifier.example.org"


def test_rate_limit_spaces_messages_by_an_injected_clock():
    clock = {"t": 0.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock["t"] += seconds

    bucket = TokenBucket(5, clock=lambda: clock["t"], sleep=sleep)
    for _ in range(15):
        bucket.take()
    # A burst of one second's worth, then one every 1/5 s: 15 messages take 2 s.
    assert clock["t"] == pytest.approx(2.0)
    assert sum(slept) == pytest.approx(2.0)
    clock["t"] += 10  # a quiet spell refills the bucket, but only up to its capacity
    before = clock["t"]
    for _ in range(6):
        bucket.take()
    assert clock["t"] - before == pytest.approx(0.2)


def test_rate_limit_applies_to_a_worker(make_app, smtp_server, note_kind):
    app = make_app(mail_rate_per_second=20.0)
    with app.app_context():
        now = utcnow()
        queue(note_kind, crowd(30), now=now)
        clock = {"t": 0.0}
        bucket = TokenBucket(
            20.0, clock=lambda: clock["t"], sleep=lambda s: clock.__setitem__("t", clock["t"] + s)
        )
        backend = from_url(smtp_server.url)
        assert deliver_due(backend, now, limiter=bucket).sent == 30
        backend.close()
        assert clock["t"] == pytest.approx(0.5)  # 20 at once, then 10 at 20/s


def test_a_claim_takes_one_batch_and_the_next_claim_the_next(app, note_kind):
    now = utcnow()
    ids = queue(note_kind, crowd(50), now=now)
    first = claim(now, "a", 20, 300)
    second = claim(now, "b", 20, 300)
    assert first == ids[:20] and second == ids[20:40]


def test_a_bad_verp_setting_is_a_one_line_error(tmp_path):
    from tests.test_foundation import run_cli

    result = run_cli(
        ["worker", "--once"],
        {"NOTIFIER_VERP_RETURN_PATH": "bounces", "NOTIFIER_DATABASE_URL": ""},
        tmp_path,
    )
    assert result.returncode == 2
    assert "NOTIFIER_VERP_RETURN_PATH must be an address" in result.stderr


def test_a_pass_longer_than_a_lease_never_holds_an_expired_lease(make_app, smtp_server, note_kind):
    # A 3 s lease and 8 messages of 0.4 s: the pass outlives the lease, with room for a
    # loaded machine's jitter within the half-lease margin.
    app = make_app(mail_lease_seconds=3, mail_batch_size=8)
    with app.app_context():
        queue(note_kind, crowd(8), now=utcnow())
        # The pass's clock starts now, not before the queueing (which a loaded machine slows).
        start = utcnow()
        seen = []

        class Slow:
            """A relay that takes 0.4 s a message, and notes whether another worker could
            take the row being sent (its lease already over) at that moment."""

            def __init__(self, inner):
                self.inner = inner

            def send(self, sender, recipient, message):
                time.sleep(0.4)
                with db.engine.connect() as conn:
                    lease = conn.execute(
                        select(Outbox.__table__.c.lease_until).where(
                            Outbox.__table__.c.to_address == recipient
                        )
                    ).scalar()
                lease = lease.replace(tzinfo=UTC) if lease.tzinfo is None else lease
                seen.append(lease > utcnow())
                return self.inner.send(sender, recipient, message)

            def close(self):
                self.inner.close()

        backend = Slow(from_url(smtp_server.url))
        tally = deliver_due(backend, start)
        backend.close()
        assert tally.sent == 8
        assert seen == [True] * 8


def test_an_address_the_relay_cannot_take_fails_alone_and_the_pass_goes_on(
    app, smtp_server, backend, note_kind
):
    now = utcnow()
    people = [
        subscriber("reader1@example.org"),
        subscriber("josé@example.com"),
        subscriber("leser@bücher.example"),
        subscriber("reader2@example.org"),
    ]
    queue(note_kind, people, now=now)
    # This relay offers no SMTPUTF8: the non-ASCII local part cannot travel over it.
    tally = deliver_due(backend, now)
    assert (tally.sent, tally.failed) == (3, 1)
    by_address = {row.to_address: row for row in rows()}
    jose = by_address["josé@example.com"]
    assert (jose.status, jose.attempts) == ("failed", 1)
    assert "SMTPUTF8" in jose.last_error and "josé@example.com" in jose.last_error
    # Our relay's shortcoming is no bounce: the address stays subscribed.
    assert db.session.get(Subscriber, people[1].id).status == "confirmed"
    assert db.session.scalars(select(Bounce)).all() == []
    # The IDN domain travels as its A-label, in the envelope and in the To header.
    [idn] = smtp_server.to("leser@xn--bcher-kva.example")
    assert idn.message["To"] == "leser@xn--bcher-kva.example"
    assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == [
        "leser@xn--bcher-kva.example",
        "reader1@example.org",
        "reader2@example.org",
    ]
    # Nothing is left claimed or due: the next pass has nothing to do.
    assert deliver_due(backend, now + timedelta(hours=1)).handled == 0


def test_a_non_ascii_local_part_goes_with_smtputf8_when_the_relay_offers_it(app, note_kind):
    server = SmtpServer(smtputf8=True).start()
    try:
        now = utcnow()
        queue(note_kind, [subscriber("josé@example.com")], now=now)
        backend = from_url(server.url)
        assert deliver_due(backend, now).sent == 1
        backend.close()
        [received] = server.received
        assert received.rcpt_tos == ["josé@example.com"]
        assert received.message["To"] == "josé@example.com"
    finally:
        server.stop()


def test_any_error_sending_one_message_fails_that_message_only(app, smtp_server, note_kind):
    now = utcnow()
    queue(note_kind, crowd(3), now=now)

    class Flaky:
        """A backend whose client code breaks on one recipient, as a bug would."""

        def __init__(self, inner):
            self.inner = inner

        def send(self, sender, recipient, message):
            if recipient == "reader00001@example.org":
                raise RuntimeError("the client broke on this one")
            return self.inner.send(sender, recipient, message)

        def close(self):
            self.inner.close()

    backend = Flaky(from_url(smtp_server.url))
    tally = deliver_due(backend, now)
    backend.close()
    assert (tally.sent, tally.failed) == (2, 1)
    broken = rows()[1]
    assert broken.status == "failed" and "the client broke on this one" in broken.last_error
    assert len(smtp_server.received) == 2


def test_a_lease_that_expires_during_a_rate_limit_wait_is_not_sent(
    make_app, smtp_server, note_kind
):
    app = make_app(mail_lease_seconds=2, mail_batch_size=3)
    with app.app_context():
        queue(note_kind, crowd(3), now=utcnow())
        taken = []

        def slow_wait(seconds):
            # The limiter makes the second message wait past its lease; meanwhile a second
            # worker finds the expired lease and takes the rows.
            time.sleep(2.5)
            taken.extend(claim(utcnow(), "second-worker", 10, 300))

        limiter = TokenBucket(0.5, burst=1, sleep=slow_wait)
        backend = from_url(smtp_server.url)
        tally = deliver_due(backend, utcnow(), limiter=limiter)
        backend.close()
        first, second, third = rows()
        assert len(taken) == 2 and tally.sent == 1
        assert [m.rcpt_tos for m in smtp_server.received] == [[first.to_address]]
        assert (second.claimed_by, third.claimed_by) == ("second-worker", "second-worker")
        assert second.status == third.status == "queued" and second.attempts == 0


def test_a_greylisted_address_is_retried_after_the_backoff_not_in_the_same_pass(
    make_app, smtp_server, note_kind
):
    app = make_app(mail_batch_size=1)
    with app.app_context():
        now = utcnow()
        queue(note_kind, crowd(5), now=now)
        smtp_server.handler.replies.append("451 4.7.1 greylisted, try later")
        backend = from_url(smtp_server.url)
        tally = deliver_due(backend, now)
        # One batch of one at a time: the pass claimed five more times after the 451, and
        # never took the greylisted row again.
        greylisted = rows()[0]
        assert (tally.sent, tally.retried) == (4, 1)
        assert (greylisted.status, greylisted.attempts) == ("queued", 1)
        assert greylisted.next_attempt_at - now >= timedelta(seconds=45)
        assert deliver_due(backend, now + timedelta(seconds=30)).handled == 0
        assert deliver_due(backend, greylisted.next_attempt_at).sent == 1
        backend.close()
        assert [r.status for r in rows()] == ["sent"] * 5
        assert len(smtp_server.to(greylisted.to_address)) == 1


def test_database_lost_while_rendering_fails_nothing_and_sends_once_it_is_back(
    app, smtp_server, backend, note_kind
):
    """A render that loses the database (a restart mid-query) is no fault of the message."""
    from sqlalchemy.exc import OperationalError

    now = utcnow()
    queue(note_kind, crowd(3), now=now)
    note = RENDERERS[note_kind]
    lost = []

    def render_once_the_database_is_back(row):
        if not lost:
            lost.append(row.id)
            raise OperationalError("SELECT …", {}, Exception("server closed the connection"))
        return note(row)

    RENDERERS[note_kind] = render_once_the_database_is_back
    tally = deliver_due(backend, now)
    assert tally.failed == 0
    assert [r.status for r in rows()] == ["sent"] * 3
    assert sorted(m.rcpt_tos[0] for m in smtp_server.received) == sorted(
        r.to_address for r in rows()
    )
