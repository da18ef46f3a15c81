"""HTML fragments (the CDATA sections of the Idéo exports) to clean text, keeping headings."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f]+")
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "blockquote"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def clean_text(text: str | None) -> str:
    """Collapse whitespace and drop control characters (the exports hold a stray U+0081)."""
    if not text:
        return ""
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def html_to_text(fragment: str | None) -> str:
    """Paragraphs separated by blank lines; headings on their own line; list items as `- `."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(re.sub(r"<[^>]+>", " ", fragment))
    blocks: list[str] = []
    current: list[str] = []

    def flush(prefix: str = "") -> None:
        line = clean_text(" ".join(current))
        if line:
            blocks.append(prefix + line)
        current.clear()

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCKS:
            flush()
        if element.text and tag not in ("script", "style"):
            current.append(element.text)
        for child in element:
            walk(child)
        if tag in _BLOCKS:
            flush("- " if tag == "li" else "")
        if element.tail:
            current.append(element.tail)

    walk(root)
    flush()
    return "\n\n".join(blocks)
