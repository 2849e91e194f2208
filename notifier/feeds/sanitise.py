"""Make feed HTML safe for our pages and emails, and derive its plain-text form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

TAGS = {
    "p", "a", "ul", "ol", "li", "strong", "em", "b", "i", "br", "blockquote", "h2", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
_BLOCKS = {"p", "ul", "ol", "blockquote", "h2", "h3", "h4", "table", "tr"}


def clean_html(html: str) -> str:
    """Keep a short allow-list of tags; drop scripts, styles, event handlers and unsafe links."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def to_text(html: str) -> str:
    """Plain text of (sanitised) HTML: paragraphs on their own lines, links as 'text (url)'."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def plain(text: str) -> str:
    """Text that may carry markup (a feed title) as plain text."""
    return to_text(text).replace("\n", " ")


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in {"td", "th"}:
            self.parts.append(" ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self._href is not None:
            label = "".join(self._link_text).strip()
            if self._href and self._href not in {label, f"mailto:{label}"}:
                self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data):
        self.parts.append(data)
        if self._href is not None:
            self._link_text.append(data)
