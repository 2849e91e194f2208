"""Strands: add one, rename, describe, set keywords, reorder, archive and restore."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from notifier.extensions import db
from notifier.models import Strand
from notifier.strand_admin import StrandError, add_strand, change_strand
from notifier.web import page_cache
from notifier.web.admin.access import bp, login_required


@bp.route("/strands", methods=["GET", "POST"])
@login_required
def strands():
    """Every strand in its listed order, and a form to add one."""
    errors, values = {}, {}
    if request.method == "POST":
        values = _values(with_slug=True)
        errors, done = _save(lambda: add_strand(values, g.admin.email), "added")
        if done:
            return done
    rows = db.session.scalars(select(Strand).order_by(Strand.position, Strand.id)).all()
    return render_template("admin/strands.html", rows=rows, errors=errors, values=values), (
        400 if errors else 200
    )


@bp.route("/strands/<slug>", methods=["GET", "POST"])
@login_required
def strand(slug: str):
    """Change one strand; unticking "Show it" archives it (its subscribers keep it)."""
    row = db.session.scalar(select(Strand).where(Strand.slug == slug)) or abort(404)
    errors = {}
    if request.method == "POST":
        values = _values(with_slug=False)
        values["active"] = request.form.get("active") == "yes"
        errors, done = _save(lambda: change_strand(row, values, g.admin.email), "saved")
        if done:
            return done
    return render_template("admin/strand.html", row=row, errors=errors), (400 if errors else 200)


def _save(service: Callable[[], Strand], done: str) -> tuple[dict, Response | None]:
    """Run a strand service on a posted form: its errors to show again, or, once it is
    committed (and the cached home page, which lists strands, forgotten), the way back."""
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form had expired: try again.")
    try:
        strand = service()
    except StrandError as exc:
        db.session.rollback()
        return exc.errors, None
    db.session.commit()
    page_cache.forget()
    flash(f"Strand {strand.name} {done}.")
    return {}, redirect(url_for("admin.strands"))


def _values(with_slug: bool) -> dict:
    form = request.form
    values = {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "keywords": [w.strip() for w in form.get("keywords", "").split(",") if w.strip()],
    }
    position = form.get("position", "").strip()
    if position:
        values["position"] = int(position) if position.isdigit() else position
    if with_slug:
        values["slug"] = form.get("slug", "").strip()
    return values
