"""Each email kind's key and payload: what the schedules write in SQL is what renderers read."""

from __future__ import annotations

import pytest

from notifier.models.email_kinds import (
    AnnouncementPayload,
    DigestPayload,
    ImmediatePayload,
    announcement_prefix,
    digest_frequency,
    digest_prefix,
    fields,
    immediate_prefix,
)
from notifier.schedules import digests, immediate
from notifier.schedules.fanout import payload
from tests.support.admin import announce
from tests.support.content import at, make_subscriber, make_update, outbox


def test_sql_payload_with_other_names_than_its_shape_is_refused(app):
    with pytest.raises(TypeError, match="ImmediatePayload has \\['update'\\]"):
        payload(ImmediatePayload, update_id=1)


def test_queued_rows_carry_exactly_their_kinds_payload_and_key(app):
    person = make_subscriber("reader@example.org", ("research-statistics",), frequency="daily")
    fast = make_subscriber("fast@example.org", ("research-statistics",), frequency="immediate")
    update = make_update("A note", "2026-03-09T12:00", ("research-statistics",))

    immediate.send_new_updates(at("2026-03-09T12:05"))
    digests.queue_due("daily", at("2026-03-10T08:30"))
    announce("Hello", "Hello all.", [], None, None, at("2026-03-10T09:00"))

    (quick,) = outbox("immediate")
    assert quick.key == immediate_prefix(update.id) + str(fast.id)
    assert quick.payload.keys() == fields(ImmediatePayload)
    (digest,) = outbox("digest")
    assert digest.key == digest_prefix("daily", "2026-03-10") + str(person.id)
    assert digest_frequency(digest.key) == "daily"
    assert digest.payload.keys() == fields(DigestPayload)
    assert digest.payload["updates"] == [update.id]
    news = outbox("announcement")
    assert {frozenset(row.payload) for row in news} == {fields(AnnouncementPayload)}
    assert all(row.key.startswith(announcement_prefix(row.payload["announcement"])) for row in news)
