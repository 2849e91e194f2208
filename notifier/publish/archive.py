"""The public archive: open-for-comment updates first, then the rest newest first, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import Deadline, Meeting, Strand, Update, update_strands

PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    open: list[Update]  # open for comment, soonest deadline first (page 1 only)
    rest: list[Update]  # everything else, newest first
    number: int
    pages: int


def _in_strand(strand: Strand | None):
    if strand is None:
        return None
    return (
        select(update_strands.c.update_id)
        .where(update_strands.c.update_id == Update.id, update_strands.c.strand_id == strand.id)
        .exists()
    )


def _open_deadline(now: datetime):
    return (
        select(Deadline.id)
        .where(Deadline.update_id == Update.id, Deadline.cancelled == false(), Deadline.at > now)
        .exists()
    )


def archive_page(now: datetime, number: int = 1, strand: Strand | None = None) -> Page:
    """One page of the archive; a number past the end gives an empty page of the right count."""
    loads = (selectinload(Update.strands), selectinload(Update.deadline))
    where = [c for c in (_in_strand(strand),) if c is not None]
    open_updates = list(
        db.session.scalars(
            select(Update)
            .join(Deadline, Deadline.update_id == Update.id)
            .where(*where, Deadline.cancelled == false(), Deadline.at > now)
            .options(*loads)
            .order_by(Deadline.at, Update.id)
        )
    )
    rest_where = [*where, ~_open_deadline(now)]
    total = db.session.scalar(select(func.count(Update.id)).where(*rest_where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    rest = list(
        db.session.scalars(
            select(Update)
            .where(*rest_where)
            .options(*loads)
            .order_by(Update.published_at.desc().nulls_last(), Update.id.desc())
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    return Page(open_updates if number == 1 else [], rest, number, pages)


def update_with_meetings(update_id: int) -> tuple[Update | None, list[Meeting]]:
    update = db.session.scalar(
        select(Update)
        .where(Update.id == update_id)
        .options(selectinload(Update.strands), selectinload(Update.deadline))
    )
    if update is None:
        return None, []
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.update_id == update.id, Meeting.status.in_(("confirmed", "cancelled")))
            .options(selectinload(Meeting.strand))
            .order_by(Meeting.starts_at)
        )
    )
    return update, meetings


def coming_meetings(now: datetime, strand: Strand | None = None) -> list[Meeting]:
    """Confirmed meetings not yet over, soonest first; a strand's and everyone's if given."""
    query = (
        select(Meeting)
        .where(Meeting.status == "confirmed", Meeting.ends_at > now)
        .options(selectinload(Meeting.strand))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if strand is not None:
        query = query.where(or_(Meeting.strand_id.is_(None), Meeting.strand_id == strand.id))
    return list(db.session.scalars(query))


def active_strands() -> list[Strand]:
    return list(
        db.session.scalars(select(Strand).where(Strand.active).order_by(Strand.position, Strand.id))
    )
