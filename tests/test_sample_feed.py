"""The sample feed follows the day the service first runs: open deadlines and meetings ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from notifier.extensions import db
from notifier.feeds.poll import poll_all
from notifier.models import Deadline, Meeting
from notifier.sample_feed import dated_copy


def test_a_year_on_the_sample_feed_still_has_open_deadlines_and_coming_meetings(make_app, tmp_path):
    first_run = date(2027, 12, 1)
    now = datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
    instance = tmp_path / "instance"
    copy = dated_copy(instance, first_run)
    app = make_app()  # no NOTIFIER_FEED_URLS: the instance's dated copy
    assert app.config["NOTIFIER"].feed_urls == [copy.as_uri()]
    with app.app_context():
        poll_all(now)
        db.session.commit()
        deadlines = db.session.scalars(select(Deadline)).all()
        assert len(deadlines) == 4
        assert sum(d.at > now for d in deadlines) >= 3
        # Moved by whole weeks: every weekday in the text still matches its date.
        assert not any(d.weekday_mismatch for d in deadlines)
        meetings = db.session.scalars(select(Meeting)).all()
        assert len(meetings) == 3 and all(m.starts_at > now for m in meetings)
        assert all(m.status == "proposed" and m.registration_url for m in meetings)
    # Made once: a later start does not move the dates again (nothing is news twice).
    before = copy.read_text()
    assert dated_copy(instance, date(2028, 6, 1)) == copy and copy.read_text() == before
