"""The types that cross package boundaries: Document, Chunk, Hit, Passage."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date

from knowledge.vocabulary import AUDIENCES, SERVICES, SOURCES  # noqa: F401 (re-exported: the words of the domain)


@dataclass(frozen=True)
class Section:
    """A titled part of a document (a fiche section, or the whole body of a snippet)."""

    heading: str
    text: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Document:
    """A normalised source record: an Oscar snippet, a fiche métier or a fiche formation.

    `names` holds the other names the document answers to (feminine and masculine labels,
    synonyms, acronyms): they make a fiche findable by any of its names.
    """

    doc_id: str
    source: str
    title: str
    sections: tuple[Section, ...]
    url: str | None = None
    names: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    updated_at: str | None = None

    def content_hash(self, salt: str = "") -> str:
        """Hash of everything that ends up in the index: unchanged hash, nothing to redo.

        `salt` names how the document is cut and embedded, so a new way re-indexes it."""
        payload = salt + json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """One indexed passage of a document; `text` stands alone (it carries the title).

    `dense_text` is what the embedding model reads, or None for a passage that is only in the
    lexical index (embedding every section of 3,000 fiches would take most of an hour here).
    """

    chunk_id: str
    doc_id: str
    ordinal: int
    section: str
    text: str
    dense_text: str | None = None


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    section: str
    text: str
    score: float


@dataclass
class Hit:
    """A ranked document with its best passages, as returned by search."""

    doc_id: str
    source: str
    title: str
    score: float
    url: str | None
    passages: list[Passage] = field(default_factory=list)
    services: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    links: tuple[Link, ...] = ()
    names: tuple[str, ...] = ()
    similarity: float = 0.0  # best cosine similarity of its passages to the query (dense side)
    signals: dict[str, float] = field(default_factory=dict)  # what each search step says of it (for reranking)

    @property
    def best_passage(self) -> str:
        return self.passages[0].text if self.passages else ""

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "score": round(self.score, 6),
            "url": self.url,
            "passage": self.best_passage,
            "section": self.passages[0].section if self.passages else None,
        }
