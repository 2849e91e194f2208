"""Admin pages behind a login, one module per area; each module adds its routes to `bp`.

Adding an area is adding a module here: every module of this package is imported below.
"""

from notifier.discovery import submodules
from notifier.web.admin.access import bp, login_required

__all__ = ["bp", "login_required"]

submodules(__name__)
