"""The public archive at /updates and each update's page, as a visitor reads them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from notifier.extensions import db
from notifier.models import Meeting
from notifier.publish.archive import PAGE_SIZE
from tests.support.content import make_update, strand


def _titles(html: str, section: str) -> list[str]:
    block = re.search(rf'<ul class="plain-list update-list" id="{section}">(.*?)</ul>', html, re.S)
    return re.findall(r'<h3 class="update-title"><a href="[^"]+">([^<]+)</a>', block.group(1))


def _soon(days: int, hour: int = 23, minute: int = 59) -> str:
    """A deadline `days` local days from today (UTC in winter), as the factories take it."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def test_open_for_comment_comes_first_soonest_first_with_days_left_and_the_time(app, client):
    make_update("Old news", "2026-01-05T09:00", ("fraud-error-debt",))
    later = make_update(
        "Closes later", "2026-01-06T09:00", ("research-statistics",), deadline=_soon(10)
    )
    sooner = make_update("Closes sooner", "2026-01-04T09:00", (), deadline=_soon(3, 17, 0))
    make_update(
        "Closed already", "2026-01-07T09:00", ("fraud-error-debt",), deadline="2026-01-20T23:59"
    )
    make_update("Newest news", "2026-01-08T09:00", ("tailored-public-services",))
    html = client.get("/updates").text
    assert _titles(html, "open-for-comment") == ["Closes sooner", "Closes later"]
    assert _titles(html, "other-updates") == ["Newest news", "Closed already", "Old news"]
    assert html.index("Open for comment") < html.index("Other updates, newest first")
    local = sooner.deadline.at.astimezone(app.config["NOTIFIER"].tz)
    assert f'<strong>Closes in 3 days</strong>: <time datetime="{local.isoformat()}">' in html
    assert f"{local:%A} {local.day} {local:%B %Y}, 5pm" in html
    assert "Closes in 10 days" in html
    # Each links to its page, which shows deadline, strands and a calendar link.
    page = client.get(f"/updates/{later.id}").text
    assert "Closes in 10 days" in page
    assert "Research &amp; Statistics" in page
    assert "/strands/research-statistics/calendar.ics" in page
    assert 'href="/"' in page  # the subscribe form, one click away


def test_by_strand_paging_and_bad_input(app, client):
    for n in range(PAGE_SIZE + 3):
        make_update(
            f"Research note {n:02d}",
            f"2026-02-{1 + n % 27:02d}T{n % 24:02d}:00",
            ("research-statistics",),
        )
    make_update("A fraud note", "2026-02-10T09:00", ("fraud-error-debt",))
    make_update("A general note", "2026-02-11T09:00", ())
    first = client.get("/updates?strand=fraud-error-debt").text
    assert _titles(first, "other-updates") == ["A fraud note"]
    everything = client.get("/updates").text
    assert len(_titles(everything, "other-updates")) == PAGE_SIZE
    assert "Page 1 of 2" in everything and 'rel="next"' in everything
    second = client.get("/updates?page=2").text
    assert len(_titles(second, "other-updates")) == 5
    seen = _titles(everything, "other-updates") + _titles(second, "other-updates")
    assert len(set(seen)) == PAGE_SIZE + 5
    bad = client.get("/updates?page=zero")
    assert bad.status_code == 400 and "whole number" in bad.text
    assert client.get("/updates?page=3").status_code == 404
    unknown = client.get("/updates?strand=nope")
    assert unknown.status_code == 404 and "no strand called" in unknown.text
    assert client.get("/updates/999999").status_code == 404


def test_coming_meetings_are_listed_and_on_their_update_page(app, client):
    update = make_update("Save the date", "2026-02-01T09:00", ("fraud-error-debt",))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    db.session.add(
        Meeting(
            strand=strand("fraud-error-debt"),
            title="Fraud working group",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Online",
            registration_url="https://tickets.example.org/9",
            status="confirmed",
            update_id=update.id,
        )
    )
    db.session.add(
        Meeting(
            strand=None,
            title="Only proposed",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            status="proposed",
        )
    )
    db.session.commit()
    html = client.get("/updates").text
    assert "Fraud working group" in html and "https://tickets.example.org/9" in html
    assert "Only proposed" not in html
    assert "Fraud working group" in client.get(f"/updates/{update.id}").text
