"""The knowledge index: vectors (Chroma) + manifest (SQLite) + lexical (BM25), one object.

`KnowledgeIndex` is what ingestion writes to and what search reads from. It is built once
per process (the embedder is the heavy part) and shared.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, Sequence

import numpy as np

from knowledge.embeddings import Embedder
from knowledge.errors import IndexMismatch
from knowledge.fusion import FusionParams, fuse, rank_documents
from knowledge.lexical import LexicalIndex
from knowledge.manifest import Manifest
from knowledge.store import ChromaStore, VectorStore
from knowledge.types import Chunk, Document, Hit, Passage

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
CANDIDATES = 60  # chunks fetched from each side before fusion
PASSAGES_PER_HIT = 3
NO_DATE, FAR_FUTURE = 0, 99991231


@dataclass(frozen=True)
class SearchFilters:
    """Restrict search to services / sources / audiences (any of each) and a validity date."""

    services: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    valid_on: date | None = None

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        for key, values in (("services", self.services), ("audience", self.audience)):
            if values:
                options = [{key: {"$contains": value}} for value in values]
                clauses.append(options[0] if len(options) == 1 else {"$or": options})
        if self.valid_on:
            day = _day_number(self.valid_on)
            clauses += [{"valid_from": {"$lte": day}}, {"valid_until": {"$gte": day}}]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def sql(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.sources:
            clauses.append(f"d.source IN ({','.join('?' * len(self.sources))})")
            params += list(self.sources)
        for column, values in (("services", self.services), ("audience", self.audience)):
            if values:
                clauses.append("(" + " OR ".join(f"d.{column} LIKE ?" for _ in values) + ")")
                params += [f'%"{value}"%' for value in values]
        if self.valid_on:
            clauses.append("(d.valid_from IS NULL OR d.valid_from <= ?) AND (d.valid_until IS NULL OR d.valid_until >= ?)")
            params += [self.valid_on.isoformat()] * 2
        return (" AND ".join(clauses) or "1=1"), params

    @property
    def active(self) -> bool:
        return bool(self.services or self.sources or self.audience or self.valid_on)


def _day_number(day: date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else NO_DATE


def chunk_metadata(document: Document, chunk: Chunk) -> dict[str, Any]:
    """Filter metadata stored with each vector (Chroma refuses empty lists: keys are omitted)."""
    metadata: dict[str, Any] = {
        "doc_id": document.doc_id,
        "source": document.source,
        "section": chunk.section,
        "valid_from": _day_number(document.valid_from),
        "valid_until": _day_number(document.valid_until) if document.valid_until else FAR_FUTURE,
    }
    if document.services:
        metadata["services"] = list(document.services)
    if document.audience:
        metadata["audience"] = list(document.audience)
    return metadata


class KnowledgeIndex:
    def __init__(self, embedder: Embedder, store: VectorStore, manifest: Manifest, lexical_dir: Path) -> None:
        self.embedder = embedder
        self.store = store
        self.manifest = manifest
        self._lexical_dir = lexical_dir
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()
        self._masks: dict[tuple[int, SearchFilters], np.ndarray] = {}
        self.fusion = FusionParams()
        stored = manifest.get_meta("embedder")
        if stored is None:
            manifest.set_meta("embedder", embedder.name)
            manifest.set_meta("dimension", str(embedder.dimension))
        elif stored != embedder.name or manifest.get_meta("dimension") != str(embedder.dimension):
            raise IndexMismatch(
                f"L'index a été construit avec le modèle « {stored} » ; le modèle configuré est "
                f"« {embedder.name} ». Reconstruisez l'index (`relais ingest --rebuild …`)."
            )

    @classmethod
    def open(
        cls, embedder: Embedder, home: Path, *, chroma_url: str | None = None, collection: str = "relais-chunks"
    ) -> "KnowledgeIndex":
        index_dir = home / "index"
        store = ChromaStore.open(
            path=index_dir / "chroma",
            url=chroma_url,
            collection=collection,
            embedder_name=embedder.name,
            dimension=embedder.dimension,
        )
        return cls(embedder, store, Manifest(index_dir / "manifest.sqlite"), index_dir / "lexical")

    @staticmethod
    def destroy(home: Path, *, chroma_url: str | None = None, collection: str = "relais-chunks") -> None:
        """Delete the whole index (before a rebuild with another embedding model)."""
        index_dir = home / "index"
        if chroma_url:
            ChromaStore.drop(chroma_url, collection)
        if index_dir.exists():
            shutil.rmtree(index_dir)

    @property
    def version(self) -> int:
        return self.manifest.version

    # -- writing --------------------------------------------------------------------------
    def write(self, batch: Sequence[tuple[Document, str, Sequence[Chunk]]]) -> None:
        """Index a batch of (document, content hash, chunks): vectors, then manifest, then cleanup."""
        chunks = [chunk for _, _, doc_chunks in batch for chunk in doc_chunks]
        documents = {document.doc_id: document for document, _, _ in batch}
        old_chunk_ids = set(self.manifest.chunk_ids_of(documents))
        dense = [chunk for chunk in chunks if chunk.dense_text]
        vectors = self.embedder.embed_documents([chunk.dense_text for chunk in dense])
        self.store.upsert(
            [chunk.chunk_id for chunk in dense],
            vectors,
            [chunk_metadata(documents[chunk.doc_id], chunk) for chunk in dense],
        )
        self._mark_dirty()
        self.manifest.replace(batch)
        stale = old_chunk_ids - {chunk.chunk_id for chunk in chunks}
        if stale:
            self.store.delete(sorted(stale))

    def remove(self, doc_ids: Sequence[str]) -> None:
        """Remove documents: out of the manifest first (no longer served), then their vectors."""
        chunk_ids = self.manifest.chunk_ids_of(doc_ids)
        self._mark_dirty()
        self.manifest.delete(doc_ids)
        self.store.delete(chunk_ids)

    def collect_orphans(self) -> int:
        """Delete vectors that no manifest entry lists (left by an interrupted run)."""
        listed = {chunk_id for chunk_id, _ in self.manifest.all_chunks()}
        orphans = sorted(self.store.ids() - listed)
        self.store.delete(orphans)
        return len(orphans)

    def _mark_dirty(self) -> None:
        if self.manifest.get_meta("dirty") != "1":
            self.manifest.set_meta("dirty", "1")

    def commit(self) -> int:
        """Close a run that changed the index: new version, lexical index rebuilt for it."""
        version = self.manifest.bump_version()
        self._rebuild_lexical(version)
        self.manifest.set_meta("dirty", "0")
        return version

    def _rebuild_lexical(self, version: int) -> LexicalIndex:
        rows = list(self.manifest.all_chunks())
        lexical = LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows], version)
        lexical.save(self._lexical_dir)
        with self._lexical_lock:
            self._lexical = lexical
            self._masks.clear()
        return lexical

    def lexical_stale(self) -> bool:
        """True when the saved lexical index is not the one of the current version."""
        if self.manifest.get_meta("dirty") == "1":
            return True
        return LexicalIndex.load_version(self._lexical_dir) != self.version

    def lexical(self) -> LexicalIndex:
        """The lexical index of the current version (rebuilt if a run stopped before doing it)."""
        with self._lexical_lock:
            current = self._lexical
        if current is not None and current.version == self.version:
            return current
        loaded = LexicalIndex.load(self._lexical_dir)
        if loaded is not None and loaded.version == self.version:
            with self._lexical_lock:
                self._lexical = loaded
                self._masks.clear()
            return loaded
        log.info("lexical index out of date: rebuilding for version %s", self.version)
        return self._rebuild_lexical(self.version)

    # -- reading --------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilters = SearchFilters(),
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """Ranked documents for `query`, each with its best passages."""
        query = query.strip()
        if not query:
            return []
        candidates = max(CANDIDATES, 4 * k)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            dense = [(cid, 1.0 - dist) for cid, dist in self.store.query(vector, candidates, filters.chroma_where())]
        if mode in ("hybrid", "lexical"):
            lexical_index = self.lexical()
            lexical = lexical_index.search(query, candidates, self._mask(lexical_index, filters))
        chunk_info = self.manifest.chunks([cid for cid, _ in dense] + [cid for cid, _ in lexical])
        dense_hits = [(cid, chunk_info[cid].doc_id, s) for cid, s in dense if cid in chunk_info]
        lexical_hits = [(cid, chunk_info[cid].doc_id, s) for cid, s in lexical if cid in chunk_info]
        params = self.fusion
        if mode == "dense":
            params = FusionParams(1.0, 0.0, self.fusion.rrf_k)
        elif mode == "lexical":
            params = FusionParams(0.0, 1.0, self.fusion.rrf_k)
        doc_scores = fuse(rank_documents(dense_hits), rank_documents(lexical_hits), params)
        ranked = sorted(doc_scores, key=doc_scores.get, reverse=True)[:k]
        documents = self.manifest.documents(ranked)
        chunk_scores = fuse([c for c, _, _ in dense_hits], [c for c, _, _ in lexical_hits], params)
        similarity = {}
        for cid, doc_id, score in dense_hits:
            similarity.setdefault(doc_id, score)
        hits: list[Hit] = []
        for doc_id in ranked:
            info = documents.get(doc_id)
            if info is None:
                continue
            passages = sorted(
                (
                    Passage(cid, chunk_info[cid].section, chunk_info[cid].text, chunk_scores[cid])
                    for cid in chunk_scores
                    if chunk_info[cid].doc_id == doc_id
                ),
                key=lambda p: p.score,
                reverse=True,
            )[:PASSAGES_PER_HIT]
            hits.append(
                Hit(
                    doc_id=doc_id,
                    source=info.source,
                    title=info.title,
                    score=doc_scores[doc_id],
                    url=info.url,
                    passages=passages,
                    services=info.services,
                    audience=info.audience,
                    valid_from=info.valid_from,
                    valid_until=info.valid_until,
                    links=info.links,
                    names=info.names,
                    similarity=similarity.get(doc_id, 0.0),
                )
            )
        return hits

    def passages(self, doc_id: str) -> list[Passage]:
        """All passages of one document, in reading order (score 0: not ranked)."""
        rows = self.manifest.document_chunks(doc_id)
        return [Passage(chunk_id, section, text, 0.0) for chunk_id, section, text in rows]

    def _mask(self, lexical: LexicalIndex, filters: SearchFilters) -> np.ndarray | None:
        if not filters.active:
            return None
        key = (lexical.version, filters)
        mask = self._masks.get(key)
        if mask is None:
            clause, params = filters.sql()
            mask = lexical.mask(self.manifest.chunk_ids_where(clause, params))
            if len(self._masks) > 256:
                self._masks.clear()
            self._masks[key] = mask
        return mask
