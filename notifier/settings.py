"""Load settings from config/defaults.toml, an optional NOTIFIER_CONFIG file and the environment."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = ROOT / "config" / "defaults.toml"
SAMPLE_FEED = ROOT / "config" / "sample-feed.xml"
PREFIX = "NOTIFIER_"
# Variables with our prefix that are not settings: they steer the loader or the tests.
NOT_SETTINGS = {"NOTIFIER_CONFIG", "NOTIFIER_INSTANCE_PATH", "NOTIFIER_TEST_DATABASE_URL"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ConfigError(Exception):
    """A setting is missing, unknown or malformed; the message names it."""


@dataclass(frozen=True)
class WeeklyAt:
    weekday: int  # Monday is 0, as in datetime.weekday()
    at: time


class Settings:
    """Read-only settings: raw values by key plus parsed forms of the structured ones."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def load_defaults() -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def load(overrides: dict[str, Any] | None = None, environ=None, instance_path: Path | None = None):
    """Return Settings from defaults < NOTIFIER_CONFIG file < environment < overrides."""
    environ = os.environ if environ is None else environ
    values = load_defaults()
    if environ.get("NOTIFIER_CONFIG"):
        values = _merge(values, _read_file(Path(environ["NOTIFIER_CONFIG"])), "NOTIFIER_CONFIG")
    values = _merge(values, _from_environ(environ, values), "environment")
    values = _merge(values, {k.lower(): v for k, v in (overrides or {}).items()}, "config")
    instance = Path(instance_path or environ.get("NOTIFIER_INSTANCE_PATH") or ROOT / "instance")
    return Settings(_resolve(values, instance))


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _from_environ(environ, defaults: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for name, raw in environ.items():
        if not name.startswith(PREFIX) or name in NOT_SETTINGS:
            continue
        key = name[len(PREFIX) :].lower()
        if key not in defaults:
            raise ConfigError(f"unknown setting {name}")
        found[key] = _coerce(name, raw, defaults[key])
    return found


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the setting's default."""
    try:
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError
            return lowered in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            return [item.strip() for item in raw.split(",") if item.strip()]
    except ValueError:
        kind = "true or false" if isinstance(default, bool) else type(default).__name__
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None
    return raw


def _merge(base: dict[str, Any], extra: dict[str, Any], origin: str) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key not in base:
            raise ConfigError(f"unknown setting {key!r} in {origin}")
        merged[key] = value
    return merged


def _resolve(values: dict[str, Any], instance: Path) -> dict[str, Any]:
    """Fill the embedded defaults and parse the structured settings, naming what is wrong."""
    values = dict(values)
    values["instance_path"] = instance
    values["database_url"] = database_url(values["database_url"], instance)
    values["secret_key"] = _secret_key(values, instance)
    values["mail_url"] = values["mail_url"] or (instance / "mail").as_uri()
    values["feed_urls"] = _as_list(values["feed_urls"]) or [SAMPLE_FEED.as_uri()]
    values["base_url"] = values["base_url"].rstrip("/")
    if not re.match(r"^https?://[^/\s]+", values["base_url"]):
        raise ConfigError(
            f"NOTIFIER_BASE_URL must be an absolute http(s) URL, got {values['base_url']!r}"
        )
    values["tz"] = _zone(values["timezone"])
    values["daily_time"] = parse_time("NOTIFIER_DAILY_AT", values["daily_at"])
    values["weekly"] = _weekly(values["weekly_at"])
    values["reminder_offsets"] = _reminder_days(values["reminder_days"])
    values["cors_origins"] = _as_list(values["cors_origins"])
    if not 1 <= values["mail_connections"] <= 64:
        raise ConfigError(
            f"NOTIFIER_MAIL_CONNECTIONS must be from 1 to 64, got {values['mail_connections']!r}"
        )
    if int(values["feed_concurrency"]) < 1:
        raise ConfigError(
            f"NOTIFIER_FEED_CONCURRENCY must be 1 or more, got {values['feed_concurrency']!r}"
        )
    if float(values["feed_poll_budget"]) <= 0:
        raise ConfigError(
            f"NOTIFIER_FEED_POLL_BUDGET must be more than 0 seconds, "
            f"got {values['feed_poll_budget']!r}"
        )
    if values["env"] not in {"development", "production"}:
        raise ConfigError(f"NOTIFIER_ENV must be development or production, got {values['env']!r}")
    return values


def database_url(url: str, instance: Path) -> str:
    """Return a SQLAlchemy URL; postgresql:// and postgres:// go through psycopg 3."""
    if not url:
        return f"sqlite:///{instance / 'notifier.db'}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    if not re.match(r"^[a-z0-9+]+://", url):
        raise ConfigError(f"NOTIFIER_DATABASE_URL is not a database URL: {url!r}")
    return url


def _secret_key(values: dict[str, Any], instance: Path) -> str:
    if values["secret_key"]:
        return values["secret_key"]
    if values["env"] == "production":
        raise ConfigError("NOTIFIER_SECRET_KEY must be set when NOTIFIER_ENV is production")
    path = instance / "secret_key"
    try:
        if not path.exists():
            instance.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting at once must agree on one key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()
    except FileExistsError:
        return path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot create the secret key in {path}: {exc.strerror}") from None


def _as_list(value: Any) -> list:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return list(value)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"NOTIFIER_TIMEZONE is not a known time zone: {name!r}") from None


def parse_time(setting: str, raw: str) -> time:
    """Parse HH:MM (24-hour), naming the setting when it is malformed."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{setting} must be a time as HH:MM, got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _weekly(raw: str) -> WeeklyAt:
    parts = raw.strip().lower().split()
    if len(parts) != 2 or parts[0] not in WEEKDAYS:
        raise ConfigError(f"NOTIFIER_WEEKLY_AT must be a weekday and HH:MM, got {raw!r}")
    return WeeklyAt(WEEKDAYS.index(parts[0]), parse_time("NOTIFIER_WEEKLY_AT", parts[1]))


def _reminder_days(raw: Any) -> tuple[int, ...]:
    try:
        days = sorted({int(day) for day in _as_list(raw)}, reverse=True)
    except (TypeError, ValueError):
        raise ConfigError(f"NOTIFIER_REMINDER_DAYS must be whole numbers, got {raw!r}") from None
    if any(day < 0 for day in days):
        raise ConfigError(f"NOTIFIER_REMINDER_DAYS must not be negative, got {raw!r}")
    return tuple(days)
