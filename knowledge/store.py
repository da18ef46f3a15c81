"""Vector store: a Chroma collection fed with our own embeddings.

Local `PersistentClient` under the data dir by default; `HttpClient` when a server URL is
given (`chroma run`). Chroma's default embedding function would download a model at the
first `add`: we always pass vectors, and create the collection with `embedding_function=None`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol, Sequence
from urllib.parse import urlparse

import numpy as np

from knowledge.errors import IndexMismatch, IndexUnavailable
from knowledge.filters import FAR_FUTURE, SearchFilters, day_number
from knowledge.types import Chunk, Document

log = logging.getLogger(__name__)

# `sync_threshold` 1: Chroma saves its graph at every write. With its default (1,000), the writes not
# yet saved stay in its log and are replayed into the graph by every process that opens the
# collection, in an order that differs from one process to the next, so that two processes ranked
# the same question differently.
SAVE_EVERY_WRITE = {"sync_threshold": 1}
HNSW = {"space": "cosine", "ef_construction": 128, "ef_search": 96, "max_neighbors": 16, **SAVE_EVERY_WRITE}


def _client(path: Path | None, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore(Protocol):
    """Where chunk vectors live; each backend translates `SearchFilters` itself."""

    def upsert(self, chunks: Sequence[tuple[Document, Chunk]], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, vector: np.ndarray, k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        """The k nearest chunks as (chunk_id, cosine similarity), best first."""
        ...

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """Every stored chunk id and its vector (for exact passage similarities)."""
        ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...


def chunk_metadata(document: Document, chunk: Chunk) -> dict[str, Any]:
    """Filter metadata stored with each vector (Chroma refuses empty lists: keys are omitted)."""
    metadata: dict[str, Any] = {
        "doc_id": document.doc_id,
        "source": document.source,
        "section": chunk.section,
        "valid_from": day_number(document.valid_from),
        "valid_until": day_number(document.valid_until) if document.valid_until else FAR_FUTURE,
    }
    if document.services:
        metadata["services"] = list(document.services)
    if document.audience:
        metadata["audience"] = list(document.audience)
    return metadata


def chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
    """The filters as a Chroma `where` clause (None: no filter)."""
    clauses: list[dict[str, Any]] = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    for key, values in (("services", filters.services), ("audience", filters.audience)):
        if values:
            options = [{key: {"$contains": value}} for value in values]
            clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if filters.valid_on:
        day = day_number(filters.valid_on)
        clauses += [{"valid_from": {"$lte": day}}, {"valid_until": {"$gte": day}}]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """One Chroma collection holding chunk vectors and their filter metadata."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    @classmethod
    def open(
        cls,
        *,
        path: Path | None,
        url: str | None,
        collection: str,
        embedder_name: str,
        dimension: int,
    ) -> "ChromaStore":
        try:
            client = _client(path, url)
            handle = client.get_or_create_collection(
                collection,
                configuration={"hnsw": HNSW},
                metadata={"embedder": embedder_name, "dimension": dimension},
                embedding_function=None,
            )
        except (ValueError, ConnectionError, OSError) as exc:
            where = url or str(path)
            raise IndexUnavailable(f"Impossible d'ouvrir l'index vectoriel ({where}) : {exc}") from exc
        stored = handle.metadata or {}
        if stored.get("embedder") != embedder_name or stored.get("dimension") != dimension:
            raise IndexMismatch(
                f"L'index a été construit avec le modèle « {stored.get('embedder')} » "
                f"(dimension {stored.get('dimension')}) ; le modèle configuré est « {embedder_name} » "
                f"(dimension {dimension}). Reconstruisez l'index (`relais ingest --rebuild …`) "
                "ou revenez au modèle d'origine."
            )
        if path is not None and (handle.configuration_json or {}).get("hnsw", {}).get("sync_threshold") != 1:
            handle.modify(configuration={"hnsw": SAVE_EVERY_WRITE})  # an index built before: from its next write on
        return cls(handle)

    @staticmethod
    def drop(url: str, collection: str) -> None:
        client = _client(None, url)
        if collection in [c.name for c in client.list_collections()]:
            client.delete_collection(collection)

    def upsert(self, chunks: Sequence[tuple[Document, Chunk]], vectors: np.ndarray) -> None:
        if chunks:
            self._collection.upsert(ids=[chunk.chunk_id for _, chunk in chunks], embeddings=vectors,
                                    metadatas=[chunk_metadata(document, chunk) for document, chunk in chunks])

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 5000):
            self._collection.delete(ids=ids[start : start + 5000])

    def query(self, vector: np.ndarray, k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"]
        )
        return [(chunk_id, 1.0 - distance) for chunk_id, distance in zip(result["ids"][0], result["distances"][0])]

    def vectors(self) -> tuple[list[str], np.ndarray]:
        ids: list[str] = []
        rows: list[np.ndarray] = []
        total = self._collection.count()
        for offset in range(0, total, 5000):
            page = self._collection.get(include=["embeddings"], limit=5000, offset=offset)
            ids += page["ids"]
            rows.append(np.asarray(page["embeddings"], dtype=np.float32))
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return self._collection.count()
