"""Admin pages behind a login, one module per area; each module adds its routes to `bp`.

Adding an area is adding a module here and listing it below: importing it adds its routes.
"""

from notifier.web.admin import (  # noqa: F401
    announcement_send,
    announcements,
    audit,
    dashboard,
    exports,
    imports,
    meetings,
    session,
    strands,
    subscribers,
    updates,
)
from notifier.web.admin.access import bp, login_required

__all__ = ["bp", "login_required"]
