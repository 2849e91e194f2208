"""Settings: each one typed, and every one checked when the app is built, not at first use."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from notifier import create_app
from notifier.settings import DEFAULTS_FILE, DERIVED, ConfigError, Settings, load
from tests.test_foundation import run_cli


def _load(tmp_path, **environ):
    return load(environ={"NOTIFIER_SECRET_KEY": "k", **environ}, instance_path=tmp_path)


def test_every_listed_setting_has_a_type_and_every_typed_one_is_listed():
    with DEFAULTS_FILE.open("rb") as fh:
        listed = set(tomllib.load(fh))
    typed = {f.name for f in dataclasses.fields(Settings)} - DERIVED
    assert listed == typed


def test_environment_text_becomes_the_settings_type(tmp_path):
    settings = _load(
        tmp_path,
        NOTIFIER_MAIL_RATE_PER_SECOND="2",
        NOTIFIER_MAIL_CONNECTIONS="3",
        NOTIFIER_CORS_ORIGINS="https://a.example, https://b.example",
        NOTIFIER_REMINDER_DAYS="1,14,7",
    )
    assert settings.mail_rate_per_second == 2.0
    assert isinstance(settings.mail_rate_per_second, float)
    assert settings.mail_connections == 3
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.reminder_offsets == (14, 7, 1)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"NOTIFIER_MAIL_RATE_PER_SECOND": "fast"}, "NOTIFIER_MAIL_RATE_PER_SECOND must be float"),
        ({"NOTIFIER_MAIL_BATCH_SIZE": "2.5"}, "NOTIFIER_MAIL_BATCH_SIZE must be int"),
        ({"NOTIFIER_REMINDER_DAYS": "7,soon"}, "NOTIFIER_REMINDER_DAYS must be whole numbers"),
        ({"NOTIFIER_REMINDER_DAYS": "-1"}, "NOTIFIER_REMINDER_DAYS must not be negative"),
        ({"NOTIFIER_WEEKLY_AT": "someday 08:00"}, "NOTIFIER_WEEKLY_AT must be a weekday and HH:MM"),
        ({"NOTIFIER_MAIL_CONNECTIONS": "0"}, "NOTIFIER_MAIL_CONNECTIONS must be from 1 to 64"),
        (
            {"NOTIFIER_PUBLISH_CACHE_SECONDS": "120"},
            "NOTIFIER_PUBLISH_CACHE_SECONDS must be from 0 to 60 seconds",
        ),
    ],
)
def test_a_malformed_setting_is_refused_by_its_name(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, **environ)


def test_a_config_file_value_of_the_wrong_type_is_refused_by_name(tmp_path):
    config = tmp_path / "notifier.toml"
    config.write_text('feed_concurrency = "many"\n')
    with pytest.raises(ConfigError, match="NOTIFIER_FEED_CONCURRENCY must be int, got 'many'"):
        _load(tmp_path, NOTIFIER_CONFIG=str(config))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"verp_return_path": "bounces"}, "NOTIFIER_VERP_RETURN_PATH must be an address"),
        ({"dkim_selector": "s1"}, "DKIM needs all of NOTIFIER_DKIM_SELECTOR"),
        (
            {"dkim_selector": "s1", "dkim_domain": "example.org", "dkim_private_key_path": "/no"},
            "cannot read NOTIFIER_DKIM_PRIVATE_KEY_PATH",
        ),
        ({"mail_url": "smtp://:25"}, "NOTIFIER_MAIL_URL names no host"),
        ({"mail_url": "carrier-pigeon://loft"}, "NOTIFIER_MAIL_URL must be smtp://"),
    ],
)
def test_mail_settings_are_refused_when_the_app_is_built(tmp_path, config, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"secret_key": "k", "instance_path": tmp_path, **config})


def test_a_command_that_sends_nothing_still_refuses_bad_mail_settings(tmp_path):
    result = run_cli(["updates", "--json"], {"NOTIFIER_VERP_RETURN_PATH": "bounces"}, tmp_path)
    assert result.returncode == 2
    assert "NOTIFIER_VERP_RETURN_PATH must be an address" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_test_suites_own_variables_are_not_settings(tmp_path):
    # bin/test and the browser tests read NOTIFIER_TEST_*; a service started inside a test
    # run inherits them and must neither refuse them as unknown nor take them as settings.
    environ = {"NOTIFIER_TEST_PROCESSES": "0", "NOTIFIER_TEST_SCREENSHOTS": str(tmp_path)}
    assert load(environ=environ, instance_path=tmp_path) == load(environ={}, instance_path=tmp_path)
