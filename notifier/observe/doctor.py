"""`notifier doctor`: check a deployment and say what to fix, one line per check.

Each check returns a Check; none sends mail or writes to the database. The mail checks
(SMTP, DKIM) are in doctor_mail.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import feedparser
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from notifier.extensions import db
from notifier.feeds.fetch import FetchError, Limits, fetch, user_agent
from notifier.models import utcnow
from notifier.observe import doctor_mail
from notifier.observe.checks import FAIL, OK, WARN, Check
from notifier.observe.readings import pulse


def run(settings) -> Iterator[Check]:
    """Every check, in the order an operator would fix things; one failing never stops the rest."""
    checks: list[Callable[[], Check | list[Check]]] = [
        lambda: secret_key(settings),
        lambda: base_url(settings),
        database,
        migrations,
        lambda: doctor_mail.smtp(settings),
        lambda: doctor_mail.dkim_check(settings),
        lambda: feeds(settings),
        lambda: heartbeat(settings),
    ]
    for check in checks:
        try:
            found = check()
        except Exception as exc:  # noqa: BLE001 - a check that breaks is itself a finding
            found = Check(FAIL, getattr(check, "__name__", "check"), f"{type(exc).__name__}: {exc}")
        yield from found if isinstance(found, list) else [found]


def secret_key(settings) -> Check:
    generated = settings.instance_path / "secret_key"
    from_file = generated.exists() and generated.read_text().strip() == settings.secret_key
    if len(settings.secret_key) < 32:
        status = FAIL if settings.env == "production" else WARN
        return Check(
            status,
            "secret key",
            "shorter than 32 characters: set a long random NOTIFIER_SECRET_KEY",
        )
    if from_file:
        return Check(
            WARN if settings.env == "production" else OK,
            "secret key",
            f"generated into {generated}; machines must share one: set NOTIFIER_SECRET_KEY",
        )
    return Check(OK, "secret key", "set, and long enough")


def base_url(settings) -> Check:
    url = settings.base_url
    host = urlsplit(url).hostname or ""
    if settings.env != "production":
        return Check(OK, "base URL", f"{url} (development)")
    if host in {"127.0.0.1", "localhost", "::1"}:
        return Check(
            FAIL, "base URL", f"{url} points at this machine: links in emails will not work"
        )
    if not url.startswith("https://"):
        return Check(
            FAIL,
            "base URL",
            f"{url} is http in production: use https so links and cookies are safe",
        )
    return Check(OK, "base URL", url)


def database() -> Check:
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return Check(
            FAIL, "database", f"cannot connect ({db.engine.url.render_as_string()}): {reason}"
        )
    return Check(OK, "database", f"{db.engine.dialect.name} answers")


def migrations() -> Check:
    from notifier.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    # Alembic says at INFO which implementation it uses: noise in a one-line-per-check report.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError:
        return Check(FAIL, "migrations", "cannot read the schema version: the database is away")
    if current == heads:
        return Check(OK, "migrations", f"current ({', '.join(sorted(heads))})")
    at = ", ".join(sorted(current)) or "empty"
    return Check(
        FAIL,
        "migrations",
        f"database at {at}, code at {', '.join(sorted(heads))}: run notifier db upgrade",
    )


def feeds(settings) -> list[Check]:
    return [_feed(url, settings) for url in settings.feed_urls]


def _feed(url: str, settings) -> Check:
    """Fetch the feed the way a poll does, so the doctor obeys the same address and size rules.

    A bare HTTP get here would follow a redirect to a private address or a metadata service
    that a poll refuses, and read a body of any size: `notifier.feeds.fetch` is the one way in.
    """
    name = f"feed {url}"
    try:
        fetched = fetch(
            url, None, None, Limits.from_settings(settings), user_agent(settings.base_url)
        )
    except FetchError as exc:
        return Check(FAIL, name, f"unreachable: {exc}")
    parsed = feedparser.parse(fetched.body)
    if parsed.bozo and not parsed.entries:
        return Check(WARN, name, "reachable, but not a feed feedparser can read")
    return Check(OK, name, f"reachable, {len(parsed.entries)} entries")


def heartbeat(settings) -> Check:
    now = utcnow()
    try:
        reading = pulse(now)
    except SQLAlchemyError as exc:
        db.session.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return Check(FAIL, "clock", f"cannot read the heartbeat: {reason}")
    age = reading.age(reading.heartbeat_at, now)
    if age is None:
        return Check(WARN, "clock", "no heartbeat yet: is `notifier scheduler` (or serve) running?")
    limit = settings.health_heartbeat_max_seconds
    if age > limit:
        return Check(
            FAIL, "clock", f"last heartbeat {age:.0f} s ago (over {limit} s): is the clock running?"
        )
    return Check(OK, "clock", f"last heartbeat {age:.0f} s ago")
