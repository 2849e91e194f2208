"""Table-driven tests for reading comment deadlines out of update text."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifier.feeds.deadlines import FoundDeadline, find_deadline

LONDON = ZoneInfo("Europe/London")


def _find(text: str, published: str) -> FoundDeadline | None:
    return find_deadline(text, datetime.fromisoformat(published).replace(tzinfo=LONDON), LONDON)


def _local(moment: datetime | None) -> str | None:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S") if moment else None


DEADLINES = [
    # The spec's own examples.
    (
        "The draft is open for comment until end Friday 29th August 2014.",
        "2014-08-01",
        "2014-08-29 23:59:59",
    ),
    (
        "Please send comments, preferably by the end of 18th February 2015.",
        "2015-01-10",
        "2015-02-18 23:59:59",
    ),
    ("The consultation closes at 11:45am on 3 June 2031.", "2031-04-01", "2031-06-03 11:45:00"),
    ("Responses must be received on or before March 4, 2030.", "2030-01-01", "2030-03-04 23:59:59"),
    ("Revised closing date: 12 September 2029", "2029-08-01", "2029-09-12 23:59:59"),
    ("The consultation runs from 5 May until 30 June 2031.", "2031-04-01", "2031-06-30 23:59:59"),
    (
        "The deadline has been extended from 3 May to 17 May 2031.",
        "2031-04-01",
        "2031-05-17 23:59:59",
    ),
    # Times of day.
    (
        "Please submit your response by 5pm on Friday 12 December 2031.",
        "2031-11-01",
        "2031-12-12 17:00:00",
    ),
    ("Responses should reach us by 17:00 on 30 June 2031.", "2031-05-01", "2031-06-30 17:00:00"),
    (
        "The closing date for responses is 12 noon on 14 March 2031.",
        "2031-01-05",
        "2031-03-14 12:00:00",
    ),
    ("Send us your views by midnight on 5 June 2031.", "2031-05-01", "2031-06-05 23:59:59"),
    ("Please respond by 5.30pm on 20 June 2031.", "2031-05-01", "2031-06-20 17:30:00"),
    (
        "Responses to this consultation should be submitted by 11:59pm on 31 March 2031.",
        "2031-02-01",
        "2031-03-31 23:59:00",
    ),
    ("The consultation will close at noon on 1 April 2031.", "2031-02-01", "2031-04-01 12:00:00"),
    (
        "Representations must be made no later than 5 p.m. on 8 August 2031.",
        "2031-07-01",
        "2031-08-08 17:00:00",
    ),
    ("The consultation closes on 31 August 2031 at 5pm.", "2031-07-01", "2031-08-31 17:00:00"),
    ("The consultation closes on 31 August 2031, 17:00.", "2031-07-01", "2031-08-31 17:00:00"),
    ("Comments until 23:59 on Sunday 29 June 2031, please.", "2031-06-01", "2031-06-29 23:59:00"),
    (
        "Responses received after 5pm on 7 November 2031 will not be considered.",
        "2031-10-01",
        "2031-11-07 17:00:00",
    ),
    ("Comments are welcome until 10am, 2 December 2031.", "2031-11-01", "2031-12-02 10:00:00"),
    # Zones named in the text win over the site's zone.
    ("Comments by 5 p.m. ET on March 4, 2030.", "2030-01-01", "2030-03-04 22:00:00"),
    ("Responses are due by 5pm EST on 15 July 2031.", "2031-06-01", "2031-07-15 22:00:00"),
    ("Comments are invited until 23:59 GMT on 5 June 2031.", "2031-05-01", "2031-06-06 00:59:00"),
    (
        "The consultation closes at 17:00 UTC on 10 January 2031.",
        "2030-12-01",
        "2031-01-10 17:00:00",
    ),
    ("Comments close at 17:00 UTC on 15 July 2031.", "2031-06-01", "2031-07-15 18:00:00"),
    ("Deadline for responses: 5pm BST on 10 January 2031.", "2030-12-01", "2031-01-10 16:00:00"),
    ("Closing date: 3 June 2031 (17:00 BST)", "2031-05-01", "2031-06-03 17:00:00"),
    (
        "Responses must be received by 12:00 CET on 15 January 2031.",
        "2030-12-01",
        "2031-01-15 11:00:00",
    ),
    ("Comments are due by 5pm PT on 15 January 2031.", "2030-12-01", "2031-01-16 01:00:00"),
    ("Comments by 5pm (UK time) on 2 March 2031.", "2031-02-01", "2031-03-02 17:00:00"),
    # Date styles.
    ("Consultation deadline: 2031-06-30", "2031-05-01", "2031-06-30 23:59:59"),
    ("Closing date: 2031-06-30 17:00", "2031-05-01", "2031-06-30 17:00:00"),
    ("Please return the questionnaire by 04/03/2030.", "2030-01-15", "2030-03-04 23:59:59"),
    ("Closing date for comments: 31/07/2031", "2031-06-01", "2031-07-31 23:59:59"),
    ("Comments until Sept 12, 2031.", "2031-08-01", "2031-09-12 23:59:59"),
    ("Feedback is invited by Aug. 29, 2031.", "2031-08-01", "2031-08-29 23:59:59"),
    ("Comments must be received by June 3rd, 2031.", "2031-05-01", "2031-06-03 23:59:59"),
    ("Comments are welcome until the 3rd of June 2031.", "2031-05-01", "2031-06-03 23:59:59"),
    (
        "Evidence should be submitted by Monday, 6 October 2031.",
        "2031-09-01",
        "2031-10-06 23:59:59",
    ),
    ("The consultation will close on Monday 2 February 2032.", "2031-12-01", "2032-02-02 23:59:59"),
    ("Deadline: Wednesday 5 November 2031", "2031-10-01", "2031-11-05 23:59:59"),
    (
        "Feedback should be sent by the close of play on Tuesday 4 November 2031.",
        "2031-10-01",
        "2031-11-04 23:59:59",
    ),
    ("Please send comments by 1st Dec. 2031.", "2031-11-01", "2031-12-01 23:59:59"),
    ("Comments close on the 22nd of October 2031.", "2031-10-01", "2031-10-22 23:59:59"),
    # A missing year means the first such date on or after publication.
    ("Please send comments by 14 March.", "2031-01-20", "2031-03-14 23:59:59"),
    ("Responses are invited by 14 January.", "2031-03-01", "2032-01-14 23:59:59"),
    ("Please send comments by 14 March.", "2031-03-14", "2031-03-14 23:59:59"),
    ("The consultation closes on Friday 19 December.", "2031-12-01", "2031-12-19 23:59:59"),
    ("Comments are invited by midnight on 5 June.", "2031-06-10", "2032-06-05 23:59:59"),
    # Other cues.
    (
        "We welcome your comments no later than 31 October 2031.",
        "2031-10-01",
        "2031-10-31 23:59:59",
    ),
    (
        "Have your say: the survey is open until 30 November 2031.",
        "2031-10-01",
        "2031-11-30 23:59:59",
    ),
    ("Submissions close on 9 October 2031.", "2031-09-01", "2031-10-09 23:59:59"),
    ("The consultation ends on 13 June 2031.", "2031-05-01", "2031-06-13 23:59:59"),
    ("The last day for responses is 13 June 2031.", "2031-05-01", "2031-06-13 23:59:59"),
    ("Tell us what you think by 13 June 2031.", "2031-05-01", "2031-06-13 23:59:59"),
    ("Send us your feedback before 1 March 2032.", "2031-12-01", "2032-03-01 23:59:59"),
    (
        "Any comments should be emailed to consult@example.gov.uk by 7 November 2031.",
        "2031-10-01",
        "2031-11-07 23:59:59",
    ),
    ("Consultation closes 3 June 2031", "2031-05-01", "2031-06-03 23:59:59"),
    ("12 September 2031 is the closing date for comments.", "2031-08-01", "2031-09-12 23:59:59"),
    ("Please send your comments by\n3 June 2031.", "2031-05-01", "2031-06-03 23:59:59"),
    ("Please complete the survey by 12.00 on 30 June 2031.", "2031-06-01", "2031-06-30 12:00:00"),
    ("The consultation closes on 30.06.2031.", "2031-06-01", "2031-06-30 23:59:59"),
    ("Comments close 11:59 p.m. 30 June 2031", "2031-06-01", "2031-06-30 23:59:00"),
    ("The consultation deadline is 17:00hrs on 30 June 2031.", "2031-06-01", "2031-06-30 17:00:00"),
    # Periods: the deadline is the end.
    (
        "The consultation period runs from 2 March to 27 April 2031.",
        "2031-02-01",
        "2031-04-27 23:59:59",
    ),
    (
        "The consultation is open between 2 March and 27 April 2031.",
        "2031-02-01",
        "2031-04-27 23:59:59",
    ),
    ("Consultation: 1 May – 30 June 2031", "2031-04-01", "2031-06-30 23:59:59"),
    ("From 1 April to 30 June 2031 you can respond online.", "2031-03-20", "2031-06-30 23:59:59"),
    (
        "The consultation is open for comment from 1 May to 30 June 2031.",
        "2031-04-01",
        "2031-06-30 23:59:59",
    ),
    # Extensions and revisions.
    (
        "We have extended the consultation to 30 September 2031.",
        "2031-09-01",
        "2031-09-30 23:59:59",
    ),
    (
        "The consultation has been extended until 14 November 2031.",
        "2031-10-01",
        "2031-11-14 23:59:59",
    ),
    ("Closing date extended to Friday 5 December 2031.", "2031-11-01", "2031-12-05 23:59:59"),
    ("The new deadline for responses is 21 January 2032.", "2031-12-01", "2032-01-21 23:59:59"),
    (
        "12 September 2029 is the new closing date for comments.",
        "2029-08-01",
        "2029-09-12 23:59:59",
    ),
    (
        "Revised closing date: 12 September 2029 (originally 29 August 2029)",
        "2029-08-01",
        "2029-09-12 23:59:59",
    ),
    (
        "The deadline of 3 May has been extended to 17 May 2031.",
        "2031-04-01",
        "2031-05-17 23:59:59",
    ),
    (
        "The deadline was 3 May but has been postponed to 31 May 2031.",
        "2031-04-01",
        "2031-05-31 23:59:59",
    ),
    (
        "The consultation was due to close on 3 May 2031. The closing date has been extended to "
        "17 May 2031.",
        "2031-04-01",
        "2031-05-17 23:59:59",
    ),
    (
        "Update: the deadline was extended to 10 May 2031. It has now been extended again to "
        "24 May 2031.",
        "2031-04-01",
        "2031-05-24 23:59:59",
    ),
    (
        "Comments were invited by 10 May 2031; we have moved this to 24 May 2031.",
        "2031-04-01",
        "2031-05-24 23:59:59",
    ),
    # Several dates: non-deadlines are skipped, the first strong cue wins over a weak one.
    (
        "Consultation on bus lanes\n\nThe consultation closes on 3 June 2031. A workshop will be "
        "held on 18 July 2031.",
        "2031-05-01",
        "2031-06-03 23:59:59",
    ),
    (
        "The workshop on 18 July 2031 is full; comments are still welcome until 25 July 2031.",
        "2031-07-01",
        "2031-07-25 23:59:59",
    ),
    (
        "The consultation, which was published on 3 March 2031, closes on 3 June 2031.",
        "2031-03-03",
        "2031-06-03 23:59:59",
    ),
    (
        "The closing date for the consultation published on 3 March 2015 is 3 June 2015.",
        "2015-03-03",
        "2015-06-03 23:59:59",
    ),
    (
        "Comments on the paper published on 3 March 2015 should reach us by 3 June 2015.",
        "2015-03-03",
        "2015-06-03 23:59:59",
    ),
    (
        "Please send comments by 1 May 2031 if you can; the consultation formally closes on "
        "15 May 2031.",
        "2031-04-01",
        "2031-05-15 23:59:59",
    ),
    (
        "Following the workshop, please send your comments by 20 June 2031.",
        "2031-06-01",
        "2031-06-20 23:59:59",
    ),
    (
        "The working group meets on 23 April. Comments on the draft are invited by 30 April 2031.",
        "2031-04-01",
        "2031-04-30 23:59:59",
    ),
]

NOT_DEADLINES = [
    ("The working group meets on 23 April.", "2031-04-01"),
    (
        "The 18th July full day strand workshop will look at the consultation responses.",
        "2031-06-01",
    ),
    ("The consultation paper was published on 3 March 2015.", "2015-03-03"),
    (
        "The paper published by the Cabinet Office on 3 March 2015 sets out the proposals.",
        "2015-03-04",
    ),
    (
        "The consultation paper published by the Cabinet Office on 3 March 2015 is available.",
        "2015-03-04",
    ),
    ("The paper was sent to the committee on 4 May 2030.", "2030-04-01"),
    ("Save the date: 24 April", "2031-03-01"),
    ("Since March 2014 we have received many comments.", "2015-01-01"),
    ("Since 4 March 2014 the council has held three public meetings.", "2015-01-01"),
    ("Comments are welcome by June 2031.", "2031-04-01"),
    ("Research & Statistics | ONS 23 April, 1000-1200", "2031-04-01"),
    ("Please register by 10 July for the consultation workshop.", "2031-06-01"),
    ("Booking closes on 10 July 2031 for the stakeholder event.", "2031-06-01"),
    ("Registration for the event closes at 5pm on 20 June 2031.", "2031-06-01"),
    ("The workshop registration deadline is 10 July 2031.", "2031-06-01"),
    ("The next meeting of the steering group will be held on 12 May 2031.", "2031-04-01"),
    ("Join our webinar on Tuesday 3 June 2031 to find out more.", "2031-05-01"),
    ("The consultation response was published on 9 September 2031.", "2031-09-09"),
    ("Our annual conference takes place on 14 October 2031.", "2031-09-01"),
    ("The minister announced the review on 2 February 2031.", "2031-02-03"),
    ("Comments on the draft will be discussed at the meeting on 23 April.", "2031-04-01"),
    (
        "The report, published by the Department on 12 January 2031, summarises the responses.",
        "2031-01-12",
    ),
    ("Thank you to everyone who responded. We received 412 responses.", "2031-01-12"),
    ("The consultation will close soon.", "2031-01-12"),
    ("Comments are welcome until further notice.", "2031-01-12"),
    ("Please send comments by Friday.", "2031-01-12"),
    ("Drop-in sessions: Monday 5 May, Wednesday 7 May and Friday 9 May 2031.", "2031-04-01"),
    ("The exhibition runs from 5 May until 30 June 2031.", "2031-04-01"),
    ("The committee met on 4 May 2030 to consider the proposals.", "2030-05-05"),
    ("Comments by 31 June 2031.", "2031-05-01"),
    ("Minutes of the 23 April meeting are now available.", "2031-05-01"),
    ("The new guidance came into force on 1 April 2031.", "2031-04-02"),
    ("Version 2.1 was released on 2031-03-01.", "2031-03-02"),
    ("Responses will be published on our website on 15 August 2031.", "2031-07-01"),
    (
        "Research & Statistics | ONS 23 April, 1000-1200\nPolicy | DfT 30 April, 1400-1600",
        "2031-04-01",
    ),
    ("The Cabinet Office will publish its response by 30 June 2031.", "2031-04-01"),
    ("We are close to agreement on the 3 June 2031 draft.", "2031-04-01"),
    ("Drop-in sessions: 5 May – 9 May 2031", "2031-04-01"),
    ("A letter dated 4 May 2031 is attached.", "2031-05-05"),
    ("The inquiry hearing will take place on 2 September 2031.", "2031-08-01"),
]

CASES = DEADLINES + [(text, published, None) for text, published in NOT_DEADLINES]


@pytest.mark.parametrize(("text", "published", "expected"), CASES)
def test_find_deadline(text: str, published: str, expected: str | None) -> None:
    found = _find(text, published)
    assert _local(found.at if found else None) == expected


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 90 and len(NOT_DEADLINES) >= 25


@pytest.mark.parametrize(
    ("text", "published", "expected_at", "expected_previous"),
    [
        (
            "The deadline has been extended from 3 May to 17 May 2031.",
            "2031-04-01",
            "2031-05-17 23:59:59",
            "2031-05-03 23:59:59",
        ),
        (
            "The deadline has been extended to 17 May 2031 (previously 3 May).",
            "2031-04-01",
            "2031-05-17 23:59:59",
            "2031-05-03 23:59:59",
        ),
        (
            "Revised closing date: 12 September 2029 (originally 29 August 2029)",
            "2029-08-01",
            "2029-09-12 23:59:59",
            "2029-08-29 23:59:59",
        ),
        (
            "The deadline of 3 May has been extended to 17 May 2031.",
            "2031-04-01",
            "2031-05-17 23:59:59",
            "2031-05-03 23:59:59",
        ),
        (
            "The deadline has been extended from 20 December to 10 January 2032.",
            "2031-12-01",
            "2032-01-10 23:59:59",
            "2031-12-20 23:59:59",
        ),
        ("The consultation closes on 3 June 2031.", "2031-05-01", "2031-06-03 23:59:59", None),
        (
            "The consultation runs from 5 May until 30 June 2031.",
            "2031-04-01",
            "2031-06-30 23:59:59",
            None,
        ),
    ],
)
def test_extension_names_previous_deadline(
    text: str, published: str, expected_at: str, expected_previous: str | None
) -> None:
    found = _find(text, published)
    assert found is not None
    assert _local(found.at) == expected_at
    assert _local(found.previous_at) == expected_previous


@pytest.mark.parametrize(
    ("text", "published", "mismatch"),
    [
        ("Open for comment until end Friday 28th August 2014.", "2014-08-01", True),
        ("Open for comment until end Friday 29th August 2014.", "2014-08-01", False),
        ("Comments by Friday, August 28, 2014.", "2014-08-01", True),
        ("Comments by Thursday, August 28, 2014.", "2014-08-01", False),
        ("The consultation closes on Tues 3 June 2031.", "2031-05-01", False),
        ("The consultation closes on Wednesday 3 June 2031.", "2031-05-01", True),
        ("The consultation closes on 3 June 2031.", "2031-05-01", False),
    ],
)
def test_weekday_mismatch(text: str, published: str, mismatch: bool) -> None:
    found = _find(text, published)
    assert found is not None
    assert found.weekday_mismatch is mismatch


def test_mismatched_weekday_keeps_the_written_date() -> None:
    found = _find("Open for comment until end Friday 28th August 2014.", "2014-08-01")
    assert found is not None and _local(found.at) == "2014-08-28 23:59:59"


@pytest.mark.parametrize(
    ("text", "published", "offset_hours"),
    [
        ("The closing date is 15 July 2031.", "2031-06-01", 1),
        ("The closing date is 15 December 2031.", "2031-11-01", 0),
    ],
)
def test_at_is_utc_and_follows_summer_time(text: str, published: str, offset_hours: int) -> None:
    found = _find(text, published)
    assert found is not None
    assert found.at.utcoffset() == timedelta(0) and found.at.tzinfo == UTC
    assert found.at.astimezone(LONDON).utcoffset() == timedelta(hours=offset_hours)
    assert found.at.hour == 23 - offset_hours and found.at.minute == 59


def test_sentence_is_the_trimmed_source_sentence() -> None:
    text = (
        "Bus lane consultation\n\nThank you for your interest.   The consultation\n"
        "closes   at 5pm on 3 June 2031.  A workshop will be held on 18 July 2031."
    )
    found = _find(text, "2031-05-01")
    assert found is not None
    assert found.sentence == "The consultation closes at 5pm on 3 June 2031."


def test_sentence_split_does_not_break_on_abbreviations() -> None:
    found = _find("Comments are invited by 5 p.m. ET on Aug. 29, 2031. Thanks.", "2031-08-01")
    assert found is not None
    assert found.sentence == "Comments are invited by 5 p.m. ET on Aug. 29, 2031."
    assert _local(found.at) == "2031-08-29 22:00:00"


def test_site_zone_is_used_for_bare_dates() -> None:
    paris = ZoneInfo("Europe/Paris")
    published = datetime(2031, 5, 1, tzinfo=paris)
    found = find_deadline("The consultation closes on 3 June 2031.", published, paris)
    assert found is not None
    assert found.at == datetime(2031, 6, 3, 23, 59, 59, tzinfo=paris).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "published", "low"),
    [
        ("Please send comments, preferably by the end of 18th February 2015.", "2015-01-10", True),
        ("Responses should reach us by 17:00 on 30 June 2031.", "2031-05-01", True),
        ("The consultation closes on 3 June 2031.", "2031-05-01", False),
        ("Closing date for responses: 26 February 2016", "2015-12-04", False),
    ],
)
def test_date_near_weak_cues_only_is_low_confidence(text: str, published: str, low: bool) -> None:
    found = _find(text, published)
    assert found is not None and found.low_confidence is low
