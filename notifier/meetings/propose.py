"""Store the meetings spotted in an update as proposals, once per row, for an admin to confirm."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import delete, select

from notifier.extensions import db
from notifier.meetings.spot import spot_meetings
from notifier.models import Meeting, Strand, Update


def propose_meetings(update: Update, strands: list[Strand], tz: tzinfo, now: datetime) -> int:
    """Add a proposal for each new meeting row in the update; return how many were added.

    A re-read adds nothing already proposed; a proposal whose row has gone from the update is
    withdrawn. Confirmed, cancelled and rejected meetings are the admins' and stay as they are.
    """
    published = update.published_at or update.stored_at or now
    spotted = spot_meetings(
        update.content_html,
        update.content_text,
        published.astimezone(UTC),
        tz,
        [(strand.slug, strand.name) for strand in strands],
    )
    by_slug = {strand.slug: strand for strand in strands}
    known = set()
    if update.id is not None:
        known = set(
            db.session.scalars(select(Meeting.source_key).where(Meeting.update_id == update.id))
        )
    keys = {proposal.source_key for proposal in spotted}
    if update.id is not None:
        db.session.execute(
            delete(Meeting).where(
                Meeting.update_id == update.id,
                Meeting.status == "proposed",
                Meeting.source_key.not_in(keys) if keys else Meeting.source_key.is_not(None),
            )
        )
    added = 0
    for proposal in spotted:
        # A meeting already over is history, not something to put in anyone's calendar.
        if proposal.source_key in known or proposal.ends_at <= now:
            continue
        known.add(proposal.source_key)
        strand = by_slug.get(proposal.strand_slug) if proposal.strand_slug else None
        db.session.add(
            Meeting(
                strand_id=strand.id if strand else None,
                title=proposal.title,
                starts_at=proposal.starts_at,
                ends_at=proposal.ends_at,
                place="",
                registration_url=proposal.registration_url,
                status="proposed",
                update=update,
                source_key=proposal.source_key,
                source_text=proposal.source_text,
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    return added
