"""Setting values from text and files: each parsed into its type, or refused by name."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
import typing
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
PREFIX = "NOTIFIER_"
# Variables with our prefix that are not settings: they steer the loader or the tests.
# NOTIFIER_TEST_* belong to the test suite (database, processes, screenshots), not the service.
NOT_SETTINGS = {"NOTIFIER_CONFIG", "NOTIFIER_INSTANCE_PATH"}
TEST_PREFIX = "NOTIFIER_TEST_"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ConfigError(Exception):
    """A setting is missing, unknown or malformed; the message names it."""


@dataclass(frozen=True)
class WeeklyAt:
    weekday: int  # Monday is 0, as in datetime.weekday()
    at: time


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def from_environ(environ, known) -> dict[str, Any]:
    """The settings the environment sets, as raw text by key; an unknown one is refused."""
    found = {}
    for name, raw in environ.items():
        if not name.startswith(PREFIX) or name in NOT_SETTINGS or name.startswith(TEST_PREFIX):
            continue
        key = name[len(PREFIX) :].lower()
        if key not in known:
            raise ConfigError(f"unknown setting {name}")
        found[key] = raw
    return found


def typed(name: str, value: Any, kind: Any) -> Any:
    """The value as the type a setting declares; text (the environment's) is parsed."""
    item = typing.get_args(kind)[0] if typing.get_origin(kind) is list else None
    if item is not None:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{name} must be a list, got {value!r}")
        items = [i.strip() if isinstance(i, str) else i for i in items]
        return [typed(name, i, item) for i in items if i != ""]
    if kind is bool:
        text = str(value).strip().lower()
        if text not in TRUE | FALSE:
            raise ConfigError(f"{name} must be true or false, got {value!r}")
        return text in TRUE
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be text, got {value!r}")
        return value
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError
        if kind is int and isinstance(value, float):
            raise ValueError
        return kind(value)
    except ValueError:
        if name == "NOTIFIER_REMINDER_DAYS":
            raise ConfigError(f"{name} must be whole numbers, got {value!r}") from None
        raise ConfigError(f"{name} must be {kind.__name__}, got {value!r}") from None


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


def secret_key(values: dict[str, Any], instance: Path) -> str:
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


def zone(name: str) -> ZoneInfo:
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


def parse_weekly(setting: str, raw: str) -> WeeklyAt:
    """Parse "weekday HH:MM" (the weekday checked already, by the setting's rule)."""
    weekday, _, at = raw.strip().lower().partition(" ")
    return WeeklyAt(WEEKDAYS.index(weekday), parse_time(setting, at))
