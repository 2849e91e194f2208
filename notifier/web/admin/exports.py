"""Exporting every subscriber as CSV from the browser, in the format an import reads."""

from __future__ import annotations

import tempfile

from flask import g, request, send_file

from notifier.extensions import db
from notifier.models import AuditEntry
from notifier.subscriptions.export import csv_chunks, export_rows
from notifier.web.admin.access import bp, login_required, role_required


@bp.get("/subscribers/export.csv")
@login_required
@role_required("export")
def export_csv():
    """Every subscriber with status and consent fields, in the format import reads."""
    db.session.add(
        AuditEntry(actor=g.admin.email, action="subscribers.export", ip=request.remote_addr)
    )
    db.session.commit()

    # Written to a temporary file first, then sent: memory stays flat however long the
    # list, and the database is read inside this request, not while the client downloads.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes (and so deletes) it
    for chunk in csv_chunks(export_rows()):
        out.write(chunk.encode())
    out.seek(0)
    return send_file(out, mimetype="text/csv", as_attachment=True, download_name="subscribers.csv")
