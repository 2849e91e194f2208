"""The forms of an announcement's way out, and the rules a chosen send time must meet."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, RadioField
from wtforms.validators import Optional

from notifier.models import utcnow
from notifier.settings import current_settings

LATEST = timedelta(days=366)


class ScheduleForm(FlaskForm):
    revision = IntegerField()
    when = RadioField(
        "When", choices=[("now", "Send now"), ("later", "Send at a set time")], default="now"
    )
    send_at = DateTimeLocalField("Send at", format="%Y-%m-%dT%H:%M", validators=[Optional()])


class SendForm(FlaskForm):
    revision = IntegerField()
    send_at = HiddenField()
    recipients = IntegerField()


def chosen_send_at(form: ScheduleForm) -> datetime | None:
    """The time chosen, in the service's zone (None: send now); what is wrong with it goes
    on the form's send_at errors: missing, passed, or more than a year off."""
    if form.when.data != "later":
        return None
    if form.send_at.data is None:
        form.send_at.errors.append("Enter the date and time to send it, like 2026-12-04T09:00")
        return None
    moment = form.send_at.data.replace(tzinfo=current_settings().tz)
    now = utcnow()
    if moment <= now:
        form.send_at.errors.append("That time has passed: choose a later time, or send now")
    elif moment > now + LATEST:
        form.send_at.errors.append("Choose a time within the next year")
    return moment
