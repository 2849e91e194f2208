"""Importing a list that scales: checked in one pass, written a batch at a time, as before."""

from __future__ import annotations

import gc
import io
import time
import tracemalloc

import pytest
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from notifier.cli.progress import Progress
from notifier.extensions import db
from notifier.models import ConsentRecord, Outbox, ScheduledRun, Subscriber, Subscription
from notifier.subscriptions.choices import Choices, InvalidChoice, pick_strands
from notifier.subscriptions.consent import Origin
from notifier.subscriptions.email_address import normalise_email
from notifier.subscriptions.imports import BadImport, check, run
from notifier.subscriptions.subscribe import subscribe
from tests.support.content import at, outbox, preferences_of
from tests.support.pages import subscriber

HEADER = "email,strands,frequency,reminders,consent_at,consent_source\n"
NOW = "2026-03-01T10:00:00Z"


def write(tmp_path, body: str, header: str = HEADER, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def pending(email: str, strands: dict[str, str], when: str) -> None:
    """Someone who signed up on the form and has not confirmed yet."""
    picked = pick_strands(strands)
    subscribe(email, Choices.same(picked, "daily", True), Origin(None, None, "web form"), at(when))
    for sub in subscriber(email).subscriptions:
        sub.frequency = strands[sub.strand.slug]
    db.session.commit()


def test_people_waiting_to_confirm_get_the_files_choices_and_one_request_a_window(runner, tmp_path):
    pending(
        "ada@example.org",
        {"research-statistics": "immediate", "fraud-error-debt": "daily"},
        "2026-03-01T09:00:00",
    )
    pending("bob@example.org", {"fraud-error-debt": "daily"}, "2026-03-01T09:55:00")
    pending("cy@example.org", {"fraud-error-debt": "daily"}, "2026-03-01T09:00:00")
    pending("dee@example.org", {"research-statistics": "immediate"}, "2026-03-01T09:00:00")
    # The last fan-out of immediate emails: a strand moved to a digest starts there.
    fanned_out = at("2026-03-01T08:30:00")
    db.session.add(
        ScheduledRun(
            kind="immediate", period_key="u1", period_end=fanned_out, finished_at=fanned_out
        )
    )
    db.session.commit()
    path = write(
        tmp_path,
        "ada@example.org,fraud-error-debt;tailored-public-services,weekly,false,,\n"
        "bob@example.org,fraud-error-debt,daily,true,,\n"
        "cy@example.org,fraud-error-debt,daily,true,2026-02-01T12:00:00Z,paper form\n"
        "dee@example.org,research-statistics,daily,true,,\n"
        "new@example.org,fraud-error-debt,daily,true,,\n",
    )
    result = runner.invoke(args=["subscribers", "import", path, "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "1 confirmed, 4 asked to confirm" in result.output
    assert "1 new, 3 updated, 1 unchanged" in result.output

    ada = subscriber("ada@example.org")
    assert ada.status == "pending"
    assert preferences_of(ada) == {
        "fraud-error-debt": ("weekly", False),
        "tailored-public-services": ("weekly", False),
    }
    [change] = [r for r in ada_records(ada.id) if r.created_at == at(NOW)]
    assert (change.action, change.source) == ("subscribe", "import")
    assert change.strands == ["fraud-error-debt", "tailored-public-services"]
    cy = subscriber("cy@example.org")
    assert (cy.status, cy.confirmed_at) == ("confirmed", at("2026-02-01T12:00:00"))
    assert [(r.action, r.source) for r in ada_records(cy.id)][-1] == ("import", "paper form")
    dee = db.session.scalar(
        select(Subscription).where(Subscription.subscriber_id == subscriber("dee@example.org").id)
    )
    assert (dee.frequency, dee.digested_until) == ("daily", fanned_out)
    # Asked again: ada and dee (their last request was an hour ago) and the new address; bob
    # was asked five minutes ago, inside the resend window.
    confirmations = sorted(r.to_address for r in outbox() if r.created_at == at(NOW))
    assert confirmations == ["ada@example.org", "dee@example.org", "new@example.org"]


def ada_records(subscriber_id: int) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.subscriber_id == subscriber_id)
            .order_by(ConsentRecord.id)
        )
    )


def test_importing_the_same_file_again_changes_nothing_and_asks_once_a_window(runner, tmp_path):
    path = write(
        tmp_path,
        "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
        "bob@example.org,fraud-error-debt,daily,true,,\n",
    )
    assert runner.invoke(args=["subscribers", "import", path, "--now", NOW]).exit_code == 0
    records = count(ConsentRecord)
    again = runner.invoke(args=["subscribers", "import", path, "--now", "2026-03-01T10:05:00Z"])
    assert "0 new, 0 updated, 2 unchanged" in again.output
    assert count(ConsentRecord) == records
    assert len(outbox()) == 1
    later = runner.invoke(args=["subscribers", "import", path, "--now", "2026-03-01T10:11:00Z"])
    assert "2 unchanged" in later.output
    assert sorted((r.to_address, r.created_at) for r in outbox()) == [
        ("bob@example.org", at("2026-03-01T10:00:00")),
        ("bob@example.org", at("2026-03-01T10:11:00")),
    ]


def test_a_dry_run_says_what_the_import_would_do_and_changes_nothing(runner, tmp_path):
    pending("bob@example.org", {"fraud-error-debt": "daily"}, "2026-03-01T09:00:00")
    path = write(
        tmp_path,
        "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,June sheet\n"
        "bob@example.org,research-statistics,daily,true,,\n",
    )
    before = (count(Subscriber), count(Subscription), count(ConsentRecord), count(Outbox))
    dry = runner.invoke(args=["subscribers", "import", path, "--dry-run", "--now", NOW])
    assert dry.exit_code == 0, dry.output
    assert (count(Subscriber), count(Subscription), count(ConsentRecord), count(Outbox)) == before
    real = runner.invoke(args=["subscribers", "import", path, "--now", NOW])
    assert dry.output.replace("would import", "imported") == real.output
    assert "1 new, 1 updated, 0 unchanged" in real.output


def test_imported_rows_read_back_as_rows_the_service_wrote(app, tmp_path):
    """Moments and JSON written past the ORM compare and load like the ORM's own."""
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + "ada@example.org,fraud-error-debt,weekly,false,2025-06-01T09:30:00Z,sheet\n"
    )
    now = at(NOW)
    with path.open("rb") as data, check(data, now) as spool:
        run(spool, now, apply=True)
    db.session.commit()
    ada = db.session.scalar(select(Subscriber).where(Subscriber.created_at == now))
    assert ada.email == "ada@example.org"
    assert ada.confirmed_at == at("2025-06-01T09:30:00")
    record = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.created_at == at("2025-06-01T09:30:00"))
    )
    assert record.preferences == [
        {"strand": "fraud-error-debt", "frequency": "weekly", "reminders": False}
    ]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.created_at == now)
        )
        == 1
    )


def test_refusals_come_in_line_order_with_lines_past_a_batch_and_bad_bytes(runner, tmp_path):
    rows = [f"reader{i}@example.org,fraud-error-debt,daily,true,,\n" for i in range(1200)]
    rows[1100] = "reader3@example.org,fraud-error-debt,daily,true,,\n"  # line 1102
    rows[5] = "x@example.org,fraud-error-debt,daily,true,2026-01-01T00:00:00Z," + "s" * 201 + "\n"
    path = tmp_path / "list.csv"
    body = (HEADER + "".join(rows)).encode()
    path.write_bytes(body + b"caf\xe9@example.org,fraud-error-debt,daily,true,,\n")
    result = runner.invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "nothing was imported:",
        "  line 7: consent_source: must be 200 characters or fewer",
        "  line 1102: email: reader3@example.org is also on line 5",
        "  line 1202: is not UTF-8 text (save the file as CSV UTF-8)",
    ]
    assert count(Subscriber) == 0


def test_a_byte_order_mark_and_windows_line_ends_are_read(runner, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + HEADER.replace("\n", "\r\n").encode()
        + b"ada@example.org,fraud-error-debt,daily,true,,\r\n"
    )
    result = runner.invoke(args=["subscribers", "import", str(path), "--now", NOW])
    assert result.exit_code == 0, result.output
    assert subscriber("ada@example.org").status == "pending"


def test_progress_goes_to_stderr_when_asked_and_not_into_a_pipe_otherwise(runner, tmp_path):
    body = "".join(f"r{i}@example.org,fraud-error-debt,daily,true,,\n" for i in range(2500))
    path = write(tmp_path, body)
    quiet = runner.invoke(args=["subscribers", "import", path, "--now", NOW, "--dry-run"])
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    shown = runner.invoke(args=["subscribers", "import", path, "--now", NOW, "--progress"])
    assert shown.exit_code == 0, shown.output
    lines = shown.stderr.splitlines()
    assert lines[0].startswith("checking  [") and lines[-1].endswith("2,500/2,500 rows")
    assert any(line.startswith("importing [") for line in lines)
    assert "imported 2500 rows" in shown.stdout


def test_memory_stays_flat_as_the_file_grows(app, tmp_path):
    """What each batch leaves behind is measured after it: nothing may pile up row by row."""
    path = tmp_path / "big.csv"
    rows = 6_000
    with path.open("w") as out:
        out.write(HEADER.replace("\n", ",status,confirmed_at\n"))
        for i in range(rows):
            out.write(
                f"reader{i}@example.org,fraud-error-debt;research-statistics,"
                f"fraud-error-debt=weekly;research-statistics=daily,true,"
                f"2026-01-01T00:00:00Z,sheet,confirmed,2026-01-02T00:00:00Z\n"
            )
    held = {"check": [], "run": []}

    def measure(phase):
        def after_batch(_rows):
            gc.collect()
            held[phase].append(tracemalloc.get_traced_memory()[0])

        return after_batch

    now = at(NOW)
    tracemalloc.start()
    try:
        with path.open("rb") as data, check(data, now, measure("check")) as spool:
            report = run(spool, now, apply=True, progress=measure("run"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.new == rows
    for phase, sizes in held.items():
        # From the second batch to the last: the file's rows go by, the memory stays.
        assert sizes[-1] - sizes[1] < 100_000, (phase, sizes)
    # A batch's worth of rows at most; a batch is 2,000 rows, and each batch is measured above.
    assert peak < 16_000_000, peak


TRICKY = [
    "Ada@Example.ORG",
    "ada.lovelace+list@example.org",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    "ada@localhost",
    "ada@example.invalid",
    "ada@xn--bcher-kva.example",
    "ada@b\u00fccher.example",
    "\u00e9l\u00e8ve@example.org",
    '"quoted"@example.org',
    "ada@[192.0.2.1]",
    "ada@-bad.example.org",
    "ada@bad_domain.example.org",
    "=cmd@example.org",
    "-x@example.org",
    "ada@exa mple.org",
    "a" * 64 + "@example.org",
    "a" * 65 + "@example.org",
    "a@" + ".".join(["b" * 63] * 3) + ".org",
    "a" * 60 + "@" + ".".join(["b" * 63] * 3) + ".org",
    "Ada Lovelace <ada@example.org>",
    "ada@example.org.",
    "ada@123.45",
    "ada@EXAMPLE.org",
    "!#$%&'*+/=?^_`{|}~@example.org",
]


def reference(address: str) -> str:
    """What validate_email() alone makes of an address, with our own rules after it."""
    try:
        normalized = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return "invalid"
    if len(normalized) > 320 or normalized.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "refused"
    return normalized.lower()


@pytest.mark.parametrize("address", TRICKY)
def test_the_quick_address_check_agrees_with_the_full_one(address):
    try:
        ours = normalise_email(address)
    except InvalidChoice as exc:
        ours = "refused" if "does not start" in exc.message or "320" in exc.message else "invalid"
    assert ours == reference(address)


def test_an_import_is_refused_as_a_whole_when_asked_twice_for_one_address(app, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "ada@example.org,fraud-error-debt,daily,true,,\n" * 2)
    with path.open("rb") as data, pytest.raises(BadImport) as refused:
        check(data, at(NOW))
    assert refused.value.lines == ["line 3: email: ada@example.org is also on line 2"]
    assert count(Subscriber) == 0


def test_an_address_added_by_someone_else_meanwhile_is_planned_again_not_doubled(
    app, tmp_path, monkeypatch
):
    """Between a batch's lookup and its insert the form may add one of its addresses."""
    import sys

    run_module = sys.modules["notifier.subscriptions.imports.run"]
    looked_up = run_module._existing
    calls = []

    def lookup_then_someone_subscribes(emails):
        found = looked_up(emails)
        if not calls:
            pending("ada@example.org", {"fraud-error-debt": "daily"}, "2026-03-01T09:00:00")
        calls.append(emails)
        return found

    monkeypatch.setattr(run_module, "_existing", lookup_then_someone_subscribes)
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + "ada@example.org,fraud-error-debt;research-statistics,weekly,true,,\n"
        "bob@example.org,fraud-error-debt,daily,true,,\n"
    )
    now = at(NOW)
    with path.open("rb") as data, check(data, now) as spool:
        report = run(spool, now, apply=True)
    db.session.commit()
    assert (report.new, report.updated) == (1, 1)
    assert calls == [["ada@example.org", "bob@example.org"], ["ada@example.org"]]
    assert preferences_of(subscriber("ada@example.org")) == {
        "fraud-error-debt": ("weekly", True),
        "research-statistics": ("weekly", True),
    }
    assert count(Subscriber) == 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    screen = Terminal()
    bar = Progress("checking ", 4000, screen)
    for done in (1000, 2000, 3000):
        bar(done)
        time.sleep(0.11)  # it redraws at most ten times a second
    bar.finish(3990)
    drawn = screen.getvalue()
    assert "\n" not in drawn[:-1]
    assert drawn.count("\r") == 4
    assert drawn.endswith("checking  [" + "#" * 30 + "] 3,990/3,990 rows\n")
