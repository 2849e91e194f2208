"""Public pages. The subscription journey replaces this placeholder."""

from flask import Blueprint, render_template
from sqlalchemy import select

from notifier.extensions import db
from notifier.models import Strand

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    strands = db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position))
    return render_template("index.html", strands=list(strands))
