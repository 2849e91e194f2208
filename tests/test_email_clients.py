"""Every kind of email against caniemail's data (npm @jsx-email/doiuse-email, in tests/email).

No feature may be unsupported in Gmail, Outlook, Apple Mail, Yahoo or Thunderbird, apart from
the <body> element itself (clients replace it, which is why the layout is a table). Partial
support is counted and printed, and held under a ceiling so the count only goes down.
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from notifier.delivery.engine import deliver_due
from notifier.delivery.outbox import enqueue
from notifier.delivery.rules import RECIPIENT_STATUSES
from notifier.emails import RENDERERS
from notifier.extensions import db
from notifier.mail.backends import from_url
from notifier.models import Announcement, Meeting, utcnow
from tests.support.content import make_subscriber, make_update, strand

KINDS = sorted(RENDERERS)
HERE = Path(__file__).resolve().parent / "email"
CLIENTS = "gmail.*,outlook.*,apple-mail.*,yahoo.*,thunderbird.*"
# Partial-support warnings per kind when this was written (the old digest had about 145):
# lower these as the templates improve; a rise fails.
CEILING = {
    "already_subscribed": 90,
    "announcement": 72,
    "announcement_test": 72,
    "confirm": 95,
    "deadline_moved": 65,
    "digest": 112,
    "immediate": 70,
    "reminder": 88,
}


def _check(files: list[Path]) -> list[dict]:
    if not (HERE / "node_modules" / "@jsx-email" / "doiuse-email").exists():
        # bin/test installs it; a checkout that runs pytest alone gets it here, the same way.
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--silent"],
            cwd=HERE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    out = subprocess.run(
        ["node", str(HERE / "check.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        env={"EMAIL_CLIENTS": CLIENTS, "PATH": "/usr/local/bin:/usr/bin:/bin"},
        cwd=HERE,
    ).stdout
    return json.loads(out)


def _payloads(now) -> dict[str, dict]:
    """A full example of each kind: a digest with groups, a deadline, meetings coming up."""
    soon = (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    later = (now + timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    stamp = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    paper = make_update(
        "Disclosure standard | Proposal for comments",
        stamp,
        ("research-statistics",),
        deadline=soon,
        text="A draft standard for publishing what data is shared, and why.",
    )
    note = make_update("Minutes of the working group", stamp, ("fraud-error-debt",))
    other = make_update(
        "Debt data paper", "2026-01-01T09:00", ("fraud-error-debt",), deadline=later, baseline=True
    )
    start = now + timedelta(days=5)
    db.session.add(
        Meeting(
            strand=strand("fraud-error-debt"),
            title="Fraud working group",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Online",
            registration_url="https://tickets.example.org/1",
            status="confirmed",
        )
    )
    announcement = Announcement(
        subject="Workshop on the draft code",
        body_markdown="Join us on **Tuesday**.\n\n- one\n- two",
        strands=[],
        send_at=now,
    )
    db.session.add(announcement)
    db.session.commit()
    deadline = paper.deadline
    return {
        "confirm": {},
        "already_subscribed": {},
        "immediate": {"update": paper.id},
        "digest": {
            "since": (now - timedelta(days=1)).isoformat(),
            "until": now.isoformat(),
            "updates": [paper.id, note.id],
        },
        "reminder": {
            "deadline": deadline.id,
            "version": 1,
            "at": deadline.at.isoformat(),
            "offset": 3,
        },
        "deadline_moved": {
            "deadline": other.deadline.id,
            "version": 2,
            "at": other.deadline.at.isoformat(),
            "previous_at": (other.deadline.at - timedelta(days=3)).isoformat(),
        },
        "announcement": {"announcement": announcement.id},
        "announcement_test": {"announcement": announcement.id, "revision": 1},
    }


@pytest.fixture
def sent_html(make_app, smtp_server, tmp_path):
    """Each kind sent through the delivery engine to a real SMTP server; its HTML part."""
    app = make_app(mail_url=smtp_server.url)
    files = {}
    with app.app_context():
        now = utcnow()
        payloads = _payloads(now)
        for kind in KINDS:
            status = "pending" if "pending" in RECIPIENT_STATUSES.get(kind, ()) else "confirmed"
            person = make_subscriber(
                f"{kind}@example.org", ("research-statistics", "fraud-error-debt")
            )
            person.status = status
            key = "digest:daily:2026-12-01" if kind == "digest" else kind
            enqueue(
                f"{key}:{person.id}",
                kind,
                person.email,
                subscriber_id=person.id,
                payload=payloads[kind],
                now=now,
            )
            db.session.commit()
        backend = from_url(smtp_server.url)
        try:
            deliver_due(backend, now)
        finally:
            backend.close()
    received = smtp_server.wait_for(len(KINDS))
    for message in received:
        kind = message.rcpt_tos[0].split("@")[0]
        files[kind] = tmp_path / f"{kind}.html"
        files[kind].write_text(message.html())
    assert sorted(files) == KINDS
    return files


def test_no_email_uses_a_feature_a_major_client_lacks(sent_html):
    results = dict(zip(sent_html, _check(list(sent_html.values())), strict=True))
    problems = {}
    for kind, result in results.items():
        unsupported = [e for e in result["errors"] if not e.startswith("`<body> element`")]
        if unsupported:
            problems[kind] = unsupported
        print(f"{kind}: {len(result['warnings'])} partial-support warnings")  # pytest -s
    assert problems == {}
    counts = {kind: len(result["warnings"]) for kind, result in results.items()}
    assert {kind: n for kind, n in counts.items() if n > CEILING[kind]} == {}


def test_the_checker_finds_what_it_should(tmp_path):
    """A margin-and-div layout with display:none is flagged, so a pass above means something."""
    page = tmp_path / "old.html"
    page.write_text(
        '<html><body><div style="display: none">hidden</div>'
        '<div style="max-width: 640px; margin: 0 auto">x</div></body></html>'
    )
    (result,) = _check([page])
    assert any("display:none" in e for e in result["errors"])
    assert any("margin" in w for w in result["warnings"])
