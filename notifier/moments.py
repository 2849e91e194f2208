"""One way to read a date and time, for every door that takes one (API, forms, CSV, commands).

The rule, everywhere:

- The text is ISO 8601 as RFC 3339 profiles it: ``2026-03-01T09:30``, ``2026-03-01T09:30:00Z``,
  ``2026-03-01 09:30+01:00`` (a space may stand for the ``T``; seconds and fractions optional).
- A time with an offset (``Z`` or ``±hh:mm``) means that instant.
- A time without an offset is local time in the zone given: NOTIFIER_TIMEZONE at every door
  a person uses (API, admin pages, CSV import, commands). Only the payloads we store ourselves,
  always written with an offset, are read with UTC (SQLite may hand a naive one back).
- Where a bare date is allowed (deadlines), it means the end of that day, local.
- The answer is always an aware datetime in UTC, so it can be stored and compared.
- It must fall in the years 0002 to 9998 in UTC. Python's calendar ends at 0001 and 9999, so
  a moment at either edge cannot be shown in another zone or moved by a reminder's few days
  (``9999-12-31T23:00-05:00`` is not even a UTC instant); a year apart from each edge, every
  zone and every offset of days is safe.

Anything else raises ``BadMoment`` (a ``ValueError``) with a sentence a person can act on,
rather than an ``OverflowError`` deep in a view or a database driver.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

END_OF_DAY = time(23, 59, 59)
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


class BadMoment(ValueError):
    """Text that cannot be read as a moment; the message says why, for the person who sent it."""


def parse_moment(text: str, zone: tzinfo, *, bare_date: time | None = None) -> datetime:
    """Read ``text`` as one instant, in UTC; no offset means local to ``zone``.

    With ``bare_date`` set, a plain ``YYYY-MM-DD`` is allowed and means that time of the day.
    :raise BadMoment: not a date and time, or outside the years 0002 to 9998 in UTC.
    """
    if not isinstance(text, str):
        raise BadMoment(f"{text!r} is not an ISO 8601 date and time")
    value = text.strip()
    try:
        if bare_date is not None and len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), bare_date)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        wanted = "date or date and time" if bare_date is not None else "date and time"
        raise BadMoment(f"{value!r} is not an ISO 8601 {wanted}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise BadMoment(f"{value!r} is outside the years 0002 to 9998 (in UTC)")
    return moment


def rfc3339(moment: datetime, zone: tzinfo = UTC) -> str:
    """Write a moment in RFC 3339, in ``zone`` when its offset is whole minutes, else in UTC.

    Before standard time, zones kept local mean time (London was -00:01:15 until 1847):
    offsets in seconds, which RFC 3339 cannot carry. Such moments are written in UTC.
    """
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        local = moment.astimezone(UTC)
    return local.isoformat()
