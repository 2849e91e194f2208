"""The web layer: thin views over the services, plus headers every page carries."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from notifier.extensions import csrf, limiter
from notifier.logs import requests
from notifier.settings import current_settings
from notifier.web import (
    abuse,
    admin,
    api_announcements,
    api_deadlines,
    api_stats,
    api_strands,
    api_subscribers,
    api_subscriptions,
    api_updates,
    archive,
    bounces,
    calendar,
    confirm,
    health,
    manage,
    metrics,
    mute,
    openapi,
    own_data,
    privacy,
    public,
    published,
    sessions,
    unsubscribe,
)
from notifier.web.problems import problem

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

# Every part of the site; a blueprint not listed here is not served.
BLUEPRINTS: tuple[Blueprint, ...] = (
    public.bp,
    confirm.bp,
    manage.bp,
    mute.bp,
    own_data.bp,
    privacy.bp,
    unsubscribe.bp,
    calendar.bp,
    archive.bp,
    health.bp,
    metrics.bp,
    admin.bp,
    api_subscriptions.bp,
    api_strands.bp,
    api_updates.bp,
    api_subscribers.bp,
    api_stats.bp,
    api_deadlines.bp,
    api_announcements.bp,
    bounces.bp,
    openapi.bp,
)


MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses a larger one (a 500)


class RowId(IntegerConverter):
    """A row id in a URL, 1 to MAX_ROW_ID: any other number is no such page (404)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def init_app(app: Flask) -> None:
    from notifier.web import intake

    # Before-request hooks run in this order (docs/adr/0012): rate limits need no body, so
    # they go first; then a door's secret, the room for a body and what every body must be;
    # CSRF, which reads forms, last.
    # The request id comes before them all, so whatever they log names the request.
    requests.init_app(app)
    limiter.init_app(app)
    abuse.skip_exempt_views(app)
    app.before_request(abuse.check_view_limits)
    intake.init_app(app)
    csrf.init_app(app)
    app.session_interface = sessions.SignedCookieSessions()
    app.url_map.converters["id"] = RowId
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.after_request(_security_headers)
    app.wsgi_app = health.FastPath(app, app.wsgi_app, HEADERS)
    published.init_app(app, HEADERS)  # calendar and feed polls, from this process's caches
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
    if moment is None:
        return "–"
    return moment.astimezone(current_settings().tz).strftime(fmt)


# What every answer carries, the health fast path's included.
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(("/confirm/", "/manage/", "/unsubscribe/", "/mute/")):
        # These URLs carry a subscriber's token: never leak it to another site.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(exc: HTTPException):
    # The exception's own headers say things the answer must keep: Allow on a 405,
    # Retry-After on a 429, WWW-Authenticate on a 401. Only its Content-Type is replaced.
    headers = [(name, value) for name, value in exc.get_headers() if name != "Content-Type"]
    if request.path.startswith("/api/"):
        response = problem(exc.code, exc.description, exc.name)
        response.headers.extend(headers)
        return response
    page = render_template("error.html", code=exc.code, title=exc.name, message=exc.description)
    return page, exc.code, headers


def _server_error(exc: Exception):
    # Never a stack trace to a visitor; the log keeps it for us.
    from flask import current_app

    from notifier.logs.redaction import redact

    current_app.logger.exception("unhandled error on %s %s", request.method, redact(request.path))
    if request.path.startswith("/api/"):
        return problem(500, "Something went wrong.")
    return render_template(
        "error.html",
        code=500,
        title="Sorry, there is a problem",
        message="Something went wrong on our side. Try again later.",
    ), 500
