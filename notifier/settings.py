"""Load settings from config/defaults.toml, an optional NOTIFIER_CONFIG file and the environment.

defaults.toml lists every setting with its default and why it exists; `Settings` gives each
one its type. A key in one and not the other is a programming error, found by the first load.
"""

from __future__ import annotations

import os
import re
import tomllib
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from notifier.sample_feed import dated_copy
from notifier.settings_parse import (
    PREFIX,
    WEEKDAYS,
    ConfigError,
    WeeklyAt,
    database_url,
    from_environ,
    parse_time,
    parse_weekly,
    read_file,
    secret_key,
    typed,
    zone,
)

__all__ = ["ConfigError", "Settings", "WeeklyAt", "current_settings", "database_url", "load"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = ROOT / "config" / "defaults.toml"
SAMPLE_FEED = ROOT / "config" / "sample-feed.xml"


@dataclass(frozen=True)
class Settings:
    """Every setting with its type, as config/defaults.toml describes them; read-only."""

    env: str
    database_url: str
    secret_key: str
    base_url: str
    site_name: str
    feed_urls: list[str]
    mail_url: str
    mail_from: str
    list_id: str
    list_unsubscribe_mailto: str
    timezone: str
    daily_at: str
    weekly_at: str
    reminder_days: list[int]
    poll_interval_minutes: int
    first_poll_send_days: int
    feed_connect_timeout: float
    feed_read_timeout: float
    feed_deadline: float
    feed_max_bytes: int
    feed_concurrency: int
    feed_poll_budget: float
    mail_batch_size: int
    mail_lease_seconds: int
    mail_retry_hours: int
    mail_max_bytes: int
    mail_connections: int
    mail_rate_per_second: float
    worker_idle_seconds: float
    dkim_selector: str
    dkim_domain: str
    dkim_private_key_path: str
    verp_return_path: str
    soft_bounce_threshold: int
    bounce_webhook_secret: str
    ratelimit_storage_url: str
    cors_origins: list[str]
    retention_days: int
    pending_retention_days: int
    unsubscribed_retention_days: int
    housekeeping_batch_size: int
    privacy_controller: str
    privacy_contact: str
    metrics_token: str
    health_heartbeat_max_seconds: int
    health_queue_max_seconds: int
    health_cache_seconds: float
    page_cache_seconds: float
    publish_cache_seconds: float
    admin_session_hours: float
    trusted_proxies: int
    log_level: str
    log_format: str
    subscribe_limit_per_ip: str
    subscribe_limit_per_address: str
    # Derived by the loader, not settable: the parsed forms of the structured settings above.
    instance_path: Path
    tz: ZoneInfo
    daily_time: time
    weekly: WeeklyAt
    reminder_offsets: tuple[int, ...]  # days before a deadline, longest first


# What a setting must be beyond its type: the test, and the error's words for it.
RULES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "base_url": (lambda v: re.match(r"^https?://[^/\s]+", v), "be an absolute http(s) URL"),
    "env": (lambda v: v in {"development", "production"}, "be development or production"),
    "weekly_at": (lambda v: v.strip().lower().split(" ")[0] in WEEKDAYS, "be a weekday and HH:MM"),
    "reminder_days": (lambda v: all(day >= 0 for day in v), "not be negative"),
    "feed_concurrency": (lambda v: v >= 1, "be 1 or more"),
    "feed_poll_budget": (lambda v: v > 0, "be more than 0 seconds"),
    "mail_connections": (lambda v: 1 <= v <= 64, "be from 1 to 64"),
    "log_format": (lambda v: v in {"text", "json"}, "be text or json"),
    "retention_days": (lambda v: v >= 1, "be 1 or more"),
    "pending_retention_days": (lambda v: v >= 1, "be 1 or more"),
    "unsubscribed_retention_days": (lambda v: v >= 1, "be 1 or more"),
    "housekeeping_batch_size": (lambda v: v >= 1, "be 1 or more"),
    "admin_session_hours": (lambda v: v > 0, "be more than 0 hours"),
    "trusted_proxies": (lambda v: 0 <= v <= 10, "be a count of proxies from 0 to 10"),
    # Longer would let a moved deadline hide behind a poll's 304 for longer than anyone expects.
    "publish_cache_seconds": (lambda v: 0 <= v <= 60, "be from 0 to 60 seconds"),
}
DERIVED = {"instance_path", "tz", "daily_time", "weekly", "reminder_offsets"}
TYPES = {
    name: hint for name, hint in typing.get_type_hints(Settings).items() if name not in DERIVED
}


def current_settings() -> Settings:
    """The running app's settings, read at each call (a test may swap them for others)."""
    return current_app.config["NOTIFIER"]


def load(overrides: dict[str, Any] | None = None, environ=None, instance_path: Path | None = None):
    """Return Settings from defaults < NOTIFIER_CONFIG file < environment < overrides."""
    environ = os.environ if environ is None else environ
    with DEFAULTS_FILE.open("rb") as fh:
        values = _merge({}, tomllib.load(fh), str(DEFAULTS_FILE))
    if environ.get("NOTIFIER_CONFIG"):
        values = _merge(values, read_file(Path(environ["NOTIFIER_CONFIG"])), "NOTIFIER_CONFIG")
    values = _merge(values, from_environ(environ, TYPES), "environment")
    values = _merge(values, {k.lower(): v for k, v in (overrides or {}).items()}, "config")
    missing = TYPES.keys() - values.keys()
    if missing:
        raise ConfigError(f"{DEFAULTS_FILE} lacks the settings {', '.join(sorted(missing))}")
    instance = Path(instance_path or environ.get("NOTIFIER_INSTANCE_PATH") or ROOT / "instance")
    return _resolve(values, instance)


def _merge(base: dict[str, Any], extra: dict[str, Any], origin: str) -> dict[str, Any]:
    """Overlay extra on base, each value turned into its setting's type or refused by name."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in TYPES:
            raise ConfigError(f"unknown setting {key!r} in {origin}")
        merged[key] = typed(f"{PREFIX}{key.upper()}", value, TYPES[key])
    return merged


def _resolve(values: dict[str, Any], instance: Path) -> Settings:
    """Fill the embedded defaults, parse the structured settings and check every range."""
    values = dict(values)
    values["database_url"] = database_url(values["database_url"], instance)
    values["secret_key"] = secret_key(values, instance)
    values["mail_url"] = values["mail_url"] or (instance / "mail").as_uri()
    # The sample feed, dated for the week this instance first ran (notifier/sample_feed.py).
    values["feed_urls"] = values["feed_urls"] or [dated_copy(instance, date.today()).as_uri()]
    values["base_url"] = values["base_url"].rstrip("/")
    for key, (rule, must) in RULES.items():
        if not rule(values[key]):
            raise ConfigError(f"{PREFIX}{key.upper()} must {must}, got {values[key]!r}")
    return Settings(
        **values,
        instance_path=instance,
        tz=zone(values["timezone"]),
        daily_time=parse_time("NOTIFIER_DAILY_AT", values["daily_at"]),
        weekly=parse_weekly("NOTIFIER_WEEKLY_AT", values["weekly_at"]),
        reminder_offsets=tuple(sorted(set(values["reminder_days"]), reverse=True)),
    )
