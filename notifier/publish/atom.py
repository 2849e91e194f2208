"""One strand's updates as an Atom 1.0 feed (RFC 4287): id, title, updated, link, author."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # noqa: S405 - we write XML, never parse it here

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notifier.extensions import db
from notifier.models import Strand, Update, update_strands
from notifier.publish.calendar import Site, update_page

ATOM = "http://www.w3.org/2005/Atom"
# Feed readers want recent news, not the archive: /updates has the rest.
ENTRIES = 50


def strand_updates(strand: Strand, limit: int = ENTRIES) -> list[Update]:
    """The strand's updates and the general ones (in no strand), newest first."""
    tagged = select(update_strands.c.update_id).where(update_strands.c.update_id == Update.id)
    in_strand = tagged.where(update_strands.c.strand_id == strand.id)
    query = (
        select(Update)
        .where(in_strand.exists() | ~tagged.exists())
        .options(selectinload(Update.strands), selectinload(Update.deadline))
        .order_by(Update.published_at.desc().nulls_last(), Update.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(update: Update) -> datetime:
    return update.changed_at or update.published_at or update.stored_at


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def strand_feed(site: Site, strand: Strand) -> bytes:
    """The feed document; its id and its entries' ids never change."""
    updates = strand_updates(strand)
    self_url = f"{site.base_url}/strands/{strand.slug}/feed.atom"
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "en-GB"})
    _sub(feed, "id", self_url)
    _sub(feed, "title", f"{site.name}: {strand.name}")
    if strand.description:
        _sub(feed, "subtitle", strand.description)
    newest = max((_updated(u) for u in updates), default=strand.created_at)
    _sub(feed, "updated", _stamp(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{site.base_url}/updates")
    author = _sub(feed, "author")
    _sub(author, "name", site.name)
    _sub(author, "uri", site.base_url)
    _sub(feed, "generator", "notifier")
    for update in updates:
        entry = _sub(feed, "entry")
        page = update_page(site, update)
        _sub(entry, "id", page)
        _sub(entry, "title", update.title)
        _sub(entry, "updated", _stamp(_updated(update)))
        if update.published_at:
            _sub(entry, "published", _stamp(update.published_at))
        _sub(entry, "link", rel="alternate", type="text/html", href=update.link or page)
        for named in update.strands:
            _sub(entry, "category", term=named.slug, label=named.name)
        summary = update.content_text[:500]
        deadline = update.deadline
        if deadline and not deadline.cancelled:
            summary = f"Comments close {_stamp(deadline.at)}. {summary}"
        _sub(entry, "summary", summary)
        if update.content_html:
            # Already sanitised when stored; Atom carries it escaped as type="html".
            _sub(entry, "content", update.content_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
