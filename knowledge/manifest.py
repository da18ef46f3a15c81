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

from knowledge.errors import IndexMismatch
from knowledge.types import Chunk, Document, Link

# The manifest's layout. 1: the first one (no version recorded); 2: a version recorded, chunks
# say whether they have a vector. Opening an older manifest upgrades it in place (UPGRADES);
# a newer one is refused, it was written by a newer Relais.
SCHEMA_VERSION = 2

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
    text TEXT NOT NULL,
    embedded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""

# from version -> the statements that bring a manifest to the next version
UPGRADES: dict[int, str] = {
    # Version 1 embedded the first chunk of a fiche and every chunk of a snippet.
    1: """
ALTER TABLE chunks ADD COLUMN embedded INTEGER NOT NULL DEFAULT 0;
UPDATE chunks SET embedded = 1
 WHERE ordinal = 0 OR doc_id IN (SELECT doc_id FROM documents WHERE source = 'oscar');
""",
}


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
        self._upgrade()

    def _upgrade(self) -> None:
        """Create the schema, or bring an older manifest to SCHEMA_VERSION in one transaction."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:
            self._db.executescript(SCHEMA)
            self.set_meta("schema_version", str(SCHEMA_VERSION))
            return
        found = int(self.get_meta("schema_version") or 1)
        if found > SCHEMA_VERSION:
            raise IndexMismatch(
                f"Cet index a été construit par une version plus récente de Relais (schéma {found}, "
                f"cette version lit jusqu'au schéma {SCHEMA_VERSION}) : mettez Relais à jour, "
                "ou reconstruisez l'index (`relais ingest --rebuild …`)."
            )
        if found == SCHEMA_VERSION:
            return
        script = "BEGIN;\n" + "".join(UPGRADES[v] for v in range(found, SCHEMA_VERSION))
        script += f"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;"
        try:
            self._db.executescript(script)
        except sqlite3.Error:
            self._db.rollback()
            raise

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
                    "INSERT INTO chunks VALUES (?,?,?,?,?,?)",
                    [(c.chunk_id, c.doc_id, c.ordinal, c.section, c.text, int(c.dense_text is not None)) for c in chunks],
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

    def chunks_of(self, doc_ids: Iterable[str]) -> dict[str, list[ChunkInfo]]:
        """Every chunk of these documents, in reading order."""
        found: dict[str, list[ChunkInfo]] = {}
        rows = self._select_in("SELECT chunk_id, doc_id, section, text, ordinal FROM chunks", "doc_id", doc_ids)
        for chunk_id, doc_id, section, text, ordinal in sorted(rows, key=lambda r: (r[1], r[4])):
            found.setdefault(doc_id, []).append(ChunkInfo(chunk_id, doc_id, section, text))
        return found

    def all_names(self) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """(doc_id, source, title, other names) of every document, in a stable order."""
        for doc_id, source, title, names in self._db.execute("SELECT doc_id, source, title, names FROM documents ORDER BY doc_id"):
            yield doc_id, source, title, tuple(json.loads(names))

    def embedded_chunk_ids(self) -> set[str]:
        """Ids of the chunks that have a vector in the store."""
        return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks WHERE embedded = 1")}

    def doc_ids_where(self, clause: str, params: Sequence[object]) -> set[str]:
        """Ids of documents matching an SQL condition on `documents d` (for filters)."""
        return {row[0] for row in self._db.execute(f"SELECT d.doc_id FROM documents d WHERE {clause}", list(params))}

    def chunk_ids_where(self, clause: str, params: Sequence[object]) -> set[str]:
        """Chunk ids of documents matching an SQL condition on `documents` (for lexical filters)."""
        sql = f"SELECT c.chunk_id FROM chunks c JOIN documents d USING (doc_id) WHERE {clause}"
        return {row[0] for row in self._db.execute(sql, list(params))}
