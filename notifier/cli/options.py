"""Options shared by commands that depend on the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app

from notifier.models import utcnow


class IsoDateTime(click.ParamType):
    """An ISO 8601 moment; without an offset it is local time in NOTIFIER_TIMEZONE."""

    name = "ISO-8601"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=current_app.config["NOTIFIER"].tz)
        return moment.astimezone(UTC)


now_option = click.option(
    "--now",
    type=IsoDateTime(),
    default=None,
    help="Act as if it were this moment (ISO 8601; local time if no offset).",
)


def resolve_now(now: datetime | None) -> datetime:
    return now or utcnow()
