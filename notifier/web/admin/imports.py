"""Importing a subscriber CSV in the browser: upload, a dry-run preview, then apply it.

The preview runs the import's own plan without its writes; applying runs it again on the
same stored file and commits only if it does exactly what the preview said. The rules live
in notifier.subscriptions.imports; this is the web's side of them.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField

from notifier.database import analyze
from notifier.extensions import db
from notifier.models import AuditEntry, utcnow
from notifier.roles import may
from notifier.subscriptions.imports import BadImport, check, run
from notifier.subscriptions.imports.check import check_all
from notifier.subscriptions.imports.uploads import Upload, UploadGone, claim, discard, keep, release
from notifier.web.admin.access import bp, login_required, role_required
from notifier.web.intake import body_limit

UPLOAD_LIMIT = 64 * 1024 * 1024  # about 200,000 rows in the export format
TOKEN_MAX_AGE = 3600
# A file with thousands of bad lines is the wrong file: the first ones say enough.
REFUSALS_SHOWN = 1000


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import")])


class ApplyForm(FlaskForm):
    token = HiddenField()


# The nav shows the import link only to whom the role rule lets in.
bp.add_app_template_global(may, "may")


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="admin-subscriber-import")


@bp.get("/subscribers/import")
@login_required
@role_required("import")
def import_page():
    return render_template("admin/import.html", form=UploadForm(), limit=UPLOAD_LIMIT)


@bp.post("/subscribers/import")
@login_required
@role_required("import")
@body_limit(UPLOAD_LIMIT + 64 * 1024)
def import_preview():
    """Keep the uploaded file and show what importing it would do; change nothing."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, limit=UPLOAD_LIMIT), 400
    upload = keep(form.file.data.stream)
    now = utcnow()
    with upload.path.open("rb") as data:
        spool, refusals = check_all(data, now)
    with spool:
        report = run(spool, now, apply=False)
    db.session.rollback()
    if refusals:
        discard(upload.path)
        return _refused(form, report, refusals, form.file.data.filename)
    return _preview(upload, report, form.file.data.filename)


@bp.post("/subscribers/import/apply")
@login_required
@role_required("import")
def import_apply():
    """Import the previewed file, exactly as previewed, once."""
    form = ApplyForm()
    if not form.validate_on_submit():
        return _gone("The form had expired. Upload the file again.")
    try:
        token = _signer().loads(form.token.data or "", max_age=TOKEN_MAX_AGE)
        taken = claim(token["file"], token["sha256"])
    except BadSignature:
        return _gone("This preview is more than an hour old. Upload the file again.")
    except UploadGone:
        return _gone(
            "This file has been imported already, or its preview has expired. "
            "Check the subscribers, or upload the file again."
        )
    now = utcnow()
    try:
        with taken.open("rb") as data, check(data, now) as spool:
            report = run(spool, now, apply=True)
    except BadImport as exc:
        # Something changed since the preview (a strand archived, an address erased).
        db.session.rollback()
        discard(taken)
        return _refused(UploadForm(formdata=None), None, exc.lines, token["filename"])
    if report.as_dict() != token["report"]:
        db.session.rollback()
        return _preview(
            release(taken),
            report,
            token["filename"],
            changed="The list has changed since the preview, so nothing was imported. "
            "Check the new figures below, then import again.",
        )
    db.session.add(
        AuditEntry(
            actor=g.admin.email,
            action="subscribers.import",
            target=token["filename"][:500],
            detail=report.as_dict(),
            ip=request.remote_addr,
            at=now,
        )
    )
    db.session.commit()
    discard(taken)
    analyze(db.session, "subscribers", "subscriptions", "consent_records", "outbox")
    db.session.commit()
    flash(
        f"Imported {report.rows:,} rows from {token['filename']}: {report.new:,} new, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged; "
        f"{report.confirmations:,} asked to confirm by email."
    )
    return redirect(url_for("admin.import_page"))


def _preview(upload: Upload, report, filename: str, changed: str | None = None):
    token = _signer().dumps(
        {
            "file": upload.name,
            "sha256": upload.sha256,
            "report": report.as_dict(),
            "filename": filename or "the file",
        }
    )
    # formdata=None: on a second preview the request's own (old) token must not win.
    form = ApplyForm(formdata=None, token=token)
    return render_template(
        "admin/import.html",
        stage="preview",
        apply_form=form,
        report=report,
        filename=filename,
        changed=changed,
    ), (409 if changed else 200)


def _refused(form, report, refusals: list[str], filename: str):
    return render_template(
        "admin/import.html",
        stage="refused",
        form=form,
        limit=UPLOAD_LIMIT,
        report=report,
        refusals=refusals[:REFUSALS_SHOWN],
        # Lines refused (a line may be refused for two reasons: bad bytes and a bad field).
        refused=len({refusal.split(":", 1)[0] for refusal in refusals}),
        filename=filename,
    ), 400


def _gone(message: str):
    return render_template(
        "admin/import.html", form=UploadForm(formdata=None), limit=UPLOAD_LIMIT, gone=message
    ), 409
