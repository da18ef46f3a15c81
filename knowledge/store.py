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

log = logging.getLogger(__name__)

HNSW = {"space": "cosine", "ef_construction": 128, "ef_search": 96, "max_neighbors": 16}


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
    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...


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
        return cls(handle)

    @staticmethod
    def drop(url: str, collection: str) -> None:
        client = _client(None, url)
        if collection in [c.name for c in client.list_collections()]:
            client.delete_collection(collection)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        if ids:
            self._collection.upsert(ids=list(ids), embeddings=vectors, metadatas=list(metadatas))

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 5000):
            self._collection.delete(ids=ids[start : start + 5000])

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, where=where or None, include=["distances"]
        )
        return list(zip(result["ids"][0], result["distances"][0]))

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return self._collection.count()
