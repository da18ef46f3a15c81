"""Index manifest (SQLite): which documents the index holds, their hashes, chunks and texts.

The manifest is the source of truth for what the index answers with. A document switches
to its new chunks in one transaction, after their vectors are in the store and before the
old vectors are deleted, so a run killed at any point leaves an index that answers
consistently; vectors the manifest does not list are garbage-collected by the next run.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from knowledge.types import Chunk, Document, Link

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    services TEXT NOT NULL,
    audience TEXT NOT NULL,
    links TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '[]',
    valid_from TEXT,
    valid_until TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""


@dataclass(frozen=True)
class DocumentInfo:
    """What search needs to know about an indexed document."""

    doc_id: str
    source: str
    title: str
    url: str | None
    services: tuple[str, ...]
    audience: tuple[str, ...]
    links: tuple[Link, ...]
    valid_from: date | None
    valid_until: date | None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChunkInfo:
    chunk_id: str
    doc_id: str
    section: str
    text: str


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- metadata -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def version(self) -> int:
        return int(self.get_meta("version") or 0)

    def bump_version(self) -> int:
        version = self.version + 1
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [("version", str(version)), ("updated_at", datetime.now(timezone.utc).isoformat())],
            )
        return version

    # -- documents ------------------------------------------------------------------------
    def hashes(self, source: str) -> dict[str, str]:
        rows = self._db.execute("SELECT doc_id, hash FROM documents WHERE source = ?", (source,))
        return dict(rows.fetchall())

    def _select_in(self, select: str, column: str, values: Iterable[str]) -> Iterator[tuple]:
        """Rows of `select ... WHERE column IN (values)`, in batches under SQLite's variable limit."""
        ids = list(dict.fromkeys(values))
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            yield from self._db.execute(f"{select} WHERE {column} IN ({','.join('?' * len(part))})", part)

    def chunk_ids_of(self, doc_ids: Iterable[str]) -> list[str]:
        return [row[0] for row in self._select_in("SELECT chunk_id FROM chunks", "doc_id", doc_ids)]

    def replace(self, batch: Sequence[tuple[Document, str, Sequence[Chunk]]]) -> None:
        """Switch each document of the batch to its new hash and chunks, in one transaction."""
        now = datetime.now(timezone.utc).isoformat()
        with self._db:
            for document, content_hash, chunks in batch:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (document.doc_id,))
                self._db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        document.doc_id,
                        document.source,
                        content_hash,
                        document.title,
                        document.url,
                        json.dumps(document.services),
                        json.dumps(document.audience),
                        json.dumps([[link.title, link.url] for link in document.links], ensure_ascii=False),
                        json.dumps(document.names, ensure_ascii=False),
                        document.valid_from.isoformat() if document.valid_from else None,
                        document.valid_until.isoformat() if document.valid_until else None,
                        now,
                    ),
                )
                self._db.executemany(
                    "INSERT INTO chunks VALUES (?,?,?,?,?)",
                    [(c.chunk_id, c.doc_id, c.ordinal, c.section, c.text) for c in chunks],
                )

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in doc_ids])

    def count(self, source: str | None = None) -> int:
        if source:
            return self._db.execute("SELECT count(*) FROM documents WHERE source = ?", (source,)).fetchone()[0]
        return self._db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def documents(self, doc_ids: Iterable[str]) -> dict[str, DocumentInfo]:
        found: dict[str, DocumentInfo] = {}
        select = "SELECT doc_id, source, title, url, services, audience, links, valid_from, valid_until, names FROM documents"
        for row in self._select_in(select, "doc_id", doc_ids):
            found[row[0]] = DocumentInfo(
                doc_id=row[0],
                source=row[1],
                title=row[2],
                url=row[3],
                services=tuple(json.loads(row[4])),
                audience=tuple(json.loads(row[5])),
                links=tuple(Link(t, u) for t, u in json.loads(row[6])),
                valid_from=_date(row[7]),
                valid_until=_date(row[8]),
                names=tuple(json.loads(row[9])),
            )
        return found

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkInfo]:
        rows = self._select_in("SELECT chunk_id, doc_id, section, text FROM chunks", "chunk_id", chunk_ids)
        return {row[0]: ChunkInfo(*row) for row in rows}

    def document_chunks(self, doc_id: str) -> list[tuple[str, str, str]]:
        """(chunk_id, section, text) of one document, in order."""
        sql = "SELECT chunk_id, section, text FROM chunks WHERE doc_id = ? ORDER BY ordinal"
        return list(self._db.execute(sql, (doc_id,)))

    def all_chunks(self) -> Iterator[tuple[str, str]]:
        """(chunk_id, text) of every indexed chunk, in a stable order."""
        yield from self._db.execute("SELECT chunk_id, text FROM chunks ORDER BY chunk_id")

    def chunk_ids_where(self, clause: str, params: Sequence[object]) -> set[str]:
        """Chunk ids of documents matching an SQL condition on `documents` (for lexical filters)."""
        sql = f"SELECT c.chunk_id FROM chunks c JOIN documents d USING (doc_id) WHERE {clause}"
        return {row[0] for row in self._db.execute(sql, list(params))}
