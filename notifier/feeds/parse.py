"""Turn fetched bytes into feed entries with feedparser, refusing anything that is not a feed."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser

# Entity declarations are how billion-laughs and external-entity payloads work; no real feed
# needs them. feedparser's loose parser would otherwise see them after the strict one gives up.
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_ENTITY_UTF16 = tuple(
    "<!ENTITY".encode(codec) for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


class ParseError(Exception):
    """The bytes are not a usable feed; the message says why in one line."""


@dataclass(frozen=True)
class Entry:
    guid: str
    link: str | None
    title: str
    content: str  # HTML as the feed gave it (feedparser has already resolved relative links)
    categories: list[str]
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[Entry]


def parse(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse RSS or Atom bytes; raise ParseError for HTML, garbage or entity tricks."""
    if _ENTITY.search(body) or any(pattern.lower() in body.lower() for pattern in _ENTITY_UTF16):
        raise ParseError("the document declares XML entities (refused: entity expansion attack)")
    # A stream, never bytes: feedparser treats bytes it can open() as a file name, so a server
    # answering "/etc/app/feed.xml" would make it read that local file.
    result = feedparser.parse(io.BytesIO(body), response_headers=headers or {})
    if not result.get("version"):
        reason = result.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise ParseError(f"not an RSS or Atom feed{detail}".splitlines()[0][:300])
    if result.get("bozo") and not result.entries:
        raise ParseError(f"malformed feed with no entries: {result.get('bozo_exception')}"[:300])
    entries = [_entry(_without_nul(raw)) for raw in result.entries]
    return ParsedFeed(result.feed.get("title"), entries)


def _entry(raw) -> Entry:
    link = _http_link(raw.get("link"))
    title = (raw.get("title") or "").strip()
    guid = (raw.get("id") or "").strip() or link
    if not guid:
        guid = hashlib.sha256(f"{title}\n{link or ''}".encode()).hexdigest()
    return Entry(
        guid=guid[:2000],
        link=link,
        title=title,
        content=_content(raw),
        categories=_categories(raw),
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def _without_nul(raw):
    # NUL is not XML, but the loose parser lets it through and PostgreSQL text refuses it.
    for key in ("id", "link", "title", "summary"):
        if isinstance(raw.get(key), str):
            raw[key] = raw[key].replace("\x00", "")
    for item in raw.get("content") or []:
        item["value"] = (item.get("value") or "").replace("\x00", "")
    for tag in raw.get("tags") or []:
        tag["term"] = (tag.get("term") or "").replace("\x00", "")
    return raw


def _http_link(link: str | None) -> str | None:
    # Links go into emails: only web links, never javascript: or data:.
    if link and urlsplit(link.strip()).scheme.lower() in {"http", "https"}:
        return link.strip()[:2000]
    return None


def _content(raw) -> str:
    """The fullest body: content:encoded / Atom content, else the summary."""
    for item in raw.get("content") or []:
        if item.get("value"):
            return item["value"]
    return raw.get("summary") or ""


def _categories(raw) -> list[str]:
    seen: list[str] = []
    for tag in raw.get("tags") or []:
        term = (tag.get("term") or tag.get("label") or "").strip()
        if term and term not in seen:
            seen.append(term)
    return seen


def _date(parsed) -> datetime | None:
    # feedparser normalises dates to UTC struct_time.
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
