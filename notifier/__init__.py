"""notifier: a mailing list for a policy consultation's updates."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy.exc import ArgumentError
from werkzeug.middleware.proxy_fix import ProxyFix

from notifier import logs
from notifier import settings as settings_module
from notifier.settings import ROOT, ConfigError, Settings

MAX_BODY = 256 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from settings; config overrides any setting by its lower-case key.

    config may also name an "instance_path" (tests give each app its own folder).
    """
    config = dict(config or {})
    instance_path = config.pop("instance_path", None)
    settings = settings_module.load(config, instance_path=instance_path)
    _check_edges(settings)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        NOTIFIER=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
        # No form or JSON body we take comes near this; a bigger one is refused (413) before
        # anything reads it, so a client cannot make a process hold megabytes it never needed.
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    logs.configure(settings.log_level, settings.log_format)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from notifier import cli, database, web

    try:
        database.init_app(app)
    except (ArgumentError, ImportError) as exc:
        # ImportError: a URL for a database whose driver is not installed.
        raise ConfigError(f"NOTIFIER_DATABASE_URL is not usable: {exc}") from None
    web.init_app(app)
    cli.init_app(app)
    if settings.trusted_proxies:
        # Only then is X-Forwarded-For the client's address rather than whatever it claims:
        # each proxy appends the address it saw, so count that many from the right.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    return app


def _check_edges(settings: Settings) -> None:
    """Refuse, now rather than at a worker's first send, the settings only the edges can read."""
    from notifier.delivery.tracking import tracking_from
    from notifier.mail.backends import from_url
    from notifier.mail.signing import signer_from

    tracking_from(settings)  # NOTIFIER_VERP_RETURN_PATH
    signer_from(settings)  # NOTIFIER_DKIM_*: all or none, and the key readable
    from_url(settings.mail_url).close()  # NOTIFIER_MAIL_URL: parsed, nothing is connected


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once: web, worker and clock share one file.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
