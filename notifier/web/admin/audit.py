"""The audit log: who did what, when; filterable, newest first."""

from __future__ import annotations

from flask import render_template, request

from notifier import directory
from notifier.web.admin.access import bp, login_required


@bp.get("/audit")
@login_required
def audit():
    """Filter by who (an admin's address, cli, system), what (an action or its start), target."""
    filters = {name: request.args.get(name, "") for name in ("actor", "action", "target")}
    found = directory.audit_entries(**filters, after=request.args.get("after", type=int))
    return render_template("admin/audit.html", found=found, **filters)
