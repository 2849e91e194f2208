"""The web layer: thin views over the services, plus headers every page carries."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from werkzeug.exceptions import HTTPException

from notifier.extensions import csrf, limiter
from notifier.web import (
    admin,
    api_announcements,
    api_deadlines,
    api_erase,
    api_subscriptions,
    bounces,
    calendar,
    confirm,
    health,
    manage,
    metrics,
    openapi,
    own_data,
    privacy,
    public,
    unsubscribe,
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

# Every part of the site; a blueprint not listed here is not served.
BLUEPRINTS: tuple[Blueprint, ...] = (
    public.bp,
    confirm.bp,
    manage.bp,
    own_data.bp,
    privacy.bp,
    unsubscribe.bp,
    calendar.bp,
    health.bp,
    metrics.bp,
    admin.bp,
    api_subscriptions.bp,
    api_deadlines.bp,
    api_announcements.bp,
    api_erase.bp,
    bounces.bp,
    openapi.bp,
)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    limiter.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    app.context_processor(
        lambda: {
            "site_name": app.config["NOTIFIER"].site_name,
            # Absolute, for emails; the same for everyone, so shared renders may hold it.
            "privacy_url": f"{app.config['NOTIFIER'].base_url}/privacy",
        }
    )
    app.add_template_filter(_local_time, "local")


def _local_time(moment, fmt: str = "%-d %B %Y, %H:%M %Z") -> str:
    """Show a stored UTC moment in the site's zone; '–' for none."""
    from flask import current_app

    if moment is None:
        return "–"
    return moment.astimezone(current_app.config["NOTIFIER"].tz).strftime(fmt)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.path.startswith(("/confirm/", "/manage/", "/unsubscribe/", "/mute/")):
        # These URLs carry a subscriber's token: never leak it to another site.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(exc: HTTPException):
    if request.path.startswith("/api/"):
        return {"error": exc.name, "message": exc.description}, exc.code
    return render_template(
        "error.html", code=exc.code, title=exc.name, message=exc.description
    ), exc.code


def _server_error(exc: Exception):
    # Never a stack trace to a visitor; the log keeps it for us.
    from flask import current_app

    from notifier.redact import redact

    current_app.logger.exception("unhandled error on %s %s", request.method, redact(request.path))
    if request.path.startswith("/api/"):
        return {"error": "Internal Server Error", "message": "Something went wrong."}, 500
    return render_template(
        "error.html",
        code=500,
        title="Sorry, there is a problem",
        message="Something went wrong on our side. Try again later.",
    ), 500
