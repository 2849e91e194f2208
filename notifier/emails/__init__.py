"""Renderers: one per kind of email, turning an outbox row into an Email.

Each feature registers its kinds with @renderer("kind"); the delivery engine calls render().
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template

from notifier.mail.message import Email
from notifier.models import Outbox

Renderer = Callable[[Outbox], Email]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register


def render(row: Outbox) -> Email:
    """Render one outbox row; raise KeyError for a kind nobody registered."""
    _load_renderers()
    return RENDERERS[row.kind](row)


def render_pair(name: str, **context) -> tuple[str, str]:
    """Render templates/email/<name>.txt and .html with the same context."""
    return (
        render_template(f"email/{name}.txt", **context),
        render_template(f"email/{name}.html", **context),
    )


_loaded = False


def _load_renderers() -> None:
    # Imported here, not at the top, so modules that register can import this one. A flag, not
    # "is RENDERERS empty": a kind registered early (by a test, say) must not hide the rest.
    global _loaded
    if not _loaded:
        from notifier.discovery import submodules

        submodules("notifier.emails")
        _loaded = True


def kinds() -> list[str]:
    """Every registered kind of email."""
    _load_renderers()
    return sorted(RENDERERS)
