"""The knowledge index: vectors (Chroma) + manifest (SQLite) + lexical (BM25), one object.

`KnowledgeIndex` is what ingestion writes to and what search reads from. It is built once
per process (the embedder is the heavy part) and shared.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from knowledge.embeddings import Embedder
from knowledge.errors import IndexMismatch
from knowledge.filters import SearchFilters
from knowledge.fusion import FusionParams, fuse, rank_documents
from knowledge.lexical import LexicalIndex
from knowledge.manifest import ChunkInfo, DocumentInfo, Manifest
from knowledge.store import ChromaStore, VectorStore
from knowledge.types import Chunk, Document, Hit, Passage

__all__ = ["KnowledgeIndex", "SearchFilters", "Mode"]

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
CANDIDATES = 60  # chunks fetched from each side before fusion
PASSAGES_PER_HIT = 3
POOL = {"dense": 30, "lexical": 30, "records": 30, "names": 15}  # documents each step brings to rerank
LEXICAL_KINDS = ("chunks", "records", "names")  # BM25 over chunks, whole documents, titles + other names


class KnowledgeIndex:
    def __init__(self, embedder: Embedder, store: VectorStore, manifest: Manifest, lexical_dir: Path) -> None:
        self.embedder = embedder
        self.store = store
        self.manifest = manifest
        self._lexical_dir = lexical_dir
        self._lexical: dict[str, LexicalIndex] = {}
        self._lexical_lock = threading.Lock()
        self._masks: dict[tuple[str, int, SearchFilters], np.ndarray] = {}
        self._vectors: tuple[int, dict[str, int], np.ndarray] | None = None
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
        self.store.upsert([(documents[chunk.doc_id], chunk) for chunk in dense], vectors)
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
        """Close a run that changed the index: new version, lexical indexes rebuilt for it."""
        version = self.manifest.bump_version()
        self._rebuild_lexical(version)
        self.manifest.set_meta("dirty", "0")
        return version

    def _lexical_texts(self) -> dict[str, tuple[list[str], list[str]]]:
        """(ids, texts) of each lexical index: chunks, whole documents, titles with other names."""
        chunk_ids, chunk_texts = [], []
        records: dict[str, list[str]] = {}
        for chunk_id, text in self.manifest.all_chunks():
            chunk_ids.append(chunk_id)
            chunk_texts.append(text)
            records.setdefault(chunk_id.split("#", 1)[0], []).append(text)
        names = {doc_id: "\n".join((title, *others)) for doc_id, _, title, others in self.manifest.all_names()}
        return {
            "chunks": (chunk_ids, chunk_texts),
            "records": (list(records), ["\n".join(parts) for parts in records.values()]),
            "names": (list(names), list(names.values())),
        }

    def _rebuild_lexical(self, version: int) -> dict[str, LexicalIndex]:
        built = {}
        for kind, (ids, texts) in self._lexical_texts().items():
            built[kind] = LexicalIndex.build(ids, texts, version)
            built[kind].save(self._lexical_path(kind))
        with self._lexical_lock:
            self._lexical = built
            self._masks.clear()
        return built

    def _lexical_path(self, kind: str) -> Path:
        return self._lexical_dir if kind == "chunks" else self._lexical_dir.with_name(f"lexical-{kind}")

    def lexical_stale(self) -> bool:
        """True when a saved lexical index is not the one of the current version."""
        if self.manifest.get_meta("dirty") == "1":
            return True
        return any(LexicalIndex.load_version(self._lexical_path(kind)) != self.version for kind in LEXICAL_KINDS)

    def lexical(self, kind: str = "chunks") -> LexicalIndex:
        """A lexical index of the current version (all rebuilt if a run stopped before doing it,
        or if the index predates this kind)."""
        with self._lexical_lock:
            current = self._lexical.get(kind)
        if current is not None and current.version == self.version:
            return current
        loaded = LexicalIndex.load(self._lexical_path(kind))
        if loaded is not None and loaded.version == self.version:
            with self._lexical_lock:
                self._lexical[kind] = loaded
            return loaded
        log.info("lexical index %s out of date: rebuilding for version %s", kind, self.version)
        return self._rebuild_lexical(self.version)[kind]

    def _passage_vectors(self) -> tuple[dict[str, int], np.ndarray]:
        """Every stored chunk vector, normalised, kept in memory per index version (a few MB)."""
        cached = self._vectors
        if cached is not None and cached[0] == self.version:
            return cached[1], cached[2]
        ids, matrix = self.store.vectors()
        if len(ids):
            matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        self._vectors = (self.version, {chunk_id: row for row, chunk_id in enumerate(ids)}, matrix)
        return self._vectors[1], self._vectors[2]

    # -- reading: the steps ----------------------------------------------------------------
    def dense_step(self, vector: np.ndarray, n: int, filters: SearchFilters) -> list[tuple[str, float]]:
        """Nearest chunks by meaning: (chunk_id, cosine), best first."""
        return self.store.query(vector, n, filters)

    def lexical_step(self, query: str, n: int, filters: SearchFilters, kind: str = "chunks") -> list[tuple[str, float]]:
        """Best (id, BM25) of one lexical index: chunk ids, or doc ids for `records` / `names`."""
        lexical = self.lexical(kind)
        scores = lexical.scores(query, self._mask(kind, lexical, filters))
        return lexical.top(scores, n) if scores is not None else []

    @staticmethod
    def fuse_step(dense_docs: Sequence[str], lexical_docs: Sequence[str], params: FusionParams) -> dict[str, float]:
        """Weighted reciprocal rank fusion of two document rankings."""
        return fuse(dense_docs, lexical_docs, params)

    def assemble(self, scored: dict[str, float], passages: dict[str, list[Passage]], k: int,
                 similarity: dict[str, float], signals: dict[str, dict[str, float]] | None = None) -> list[Hit]:
        """The k best documents as Hits, with their passages and what the manifest knows of them."""
        ranked = sorted(scored, key=scored.get, reverse=True)[:k]
        documents = self.manifest.documents(ranked)
        return [_hit(documents[doc_id], scored[doc_id], passages.get(doc_id, []), similarity.get(doc_id, 0.0),
                     (signals or {}).get(doc_id, {}))
                for doc_id in ranked if doc_id in documents]

    # -- reading: the two searches -------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilters = SearchFilters(),
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """Ranked documents for `query`, each with its best passages: dense and chunk-level BM25
        fused by reciprocal rank (or one side alone with `mode`)."""
        query = query.strip()
        if not query:
            return []
        candidates = max(CANDIDATES, 4 * k)
        dense = self.dense_step(self.embedder.embed_query(query), candidates, filters) if mode != "lexical" else []
        lexical = self.lexical_step(query, candidates, filters) if mode != "dense" else []
        chunk_info = self.manifest.chunks([cid for cid, _ in dense] + [cid for cid, _ in lexical])
        dense_hits = [(cid, chunk_info[cid].doc_id, s) for cid, s in dense if cid in chunk_info]
        lexical_hits = [(cid, chunk_info[cid].doc_id, s) for cid, s in lexical if cid in chunk_info]
        params = {"dense": FusionParams(1.0, 0.0, self.fusion.rrf_k),
                  "lexical": FusionParams(0.0, 1.0, self.fusion.rrf_k)}.get(mode, self.fusion)
        doc_scores = self.fuse_step(rank_documents(dense_hits), rank_documents(lexical_hits), params)
        chunk_scores = fuse([c for c, _, _ in dense_hits], [c for c, _, _ in lexical_hits], params)
        passages: dict[str, list[Passage]] = {}
        for cid in sorted(chunk_scores, key=chunk_scores.get, reverse=True):
            info = chunk_info[cid]
            doc_passages = passages.setdefault(info.doc_id, [])
            if len(doc_passages) < PASSAGES_PER_HIT:
                doc_passages.append(Passage(cid, info.section, info.text, chunk_scores[cid]))
        similarity: dict[str, float] = {}
        for _, doc_id, score in dense_hits:
            similarity.setdefault(doc_id, score)
        return self.assemble(doc_scores, passages, k, similarity)

    def candidates(self, query: str, *, filters: SearchFilters = SearchFilters(), pool: dict[str, int] = POOL,
                   dense_query: str | None = None) -> list[Hit]:
        """Documents worth reranking for `query`, each with every signal the steps give about it.

        Each step brings its best documents (dense, chunk BM25, whole-record BM25, title and
        other names BM25); every candidate is then scored on every signal, its passages by
        exact similarity to the pre-embedded passages and by BM25. `Hit.signals` holds them;
        `Hit.score` is the previous hybrid's fused score. `dense_query`, when given, is what the
        embedder reads instead of `query` (a shorter form: the embedder's cost grows with the text).
        """
        query = query.strip()
        if not query:
            return []
        vector = self.embedder.embed_query(dense_query or query)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        dense = self.dense_step(vector, CANDIDATES, filters)
        chunks_lexical = self.lexical("chunks")
        chunk_scores = chunks_lexical.scores(query, self._mask("chunks", chunks_lexical, filters))
        lexical = chunks_lexical.top(chunk_scores, CANDIDATES) if chunk_scores is not None else []
        records = self.lexical_step(query, pool["records"], filters, "records")
        names = self.lexical_step(query, pool["names"], filters, "names")
        chunk_info = self.manifest.chunks([cid for cid, _ in dense] + [cid for cid, _ in lexical])
        dense_docs = rank_documents([(c, chunk_info[c].doc_id, s) for c, s in dense if c in chunk_info])
        lexical_docs = rank_documents([(c, chunk_info[c].doc_id, s) for c, s in lexical if c in chunk_info])
        fused = self.fuse_step(dense_docs, lexical_docs, self.fusion)
        pooled = list(dict.fromkeys(
            dense_docs[: pool["dense"]] + lexical_docs[: pool["lexical"]] + [d for d, _ in records] + [d for d, _ in names]
        ))
        chunks_of = self.manifest.chunks_of(pooled)
        positions, matrix = self._passage_vectors()
        record_score, names_score = dict(records), dict(names)
        signals: dict[str, dict[str, float]] = {}
        passages: dict[str, list[Passage]] = {}
        for doc_id in pooled:
            doc_chunks = chunks_of.get(doc_id, [])
            cosines = [float(matrix[positions[c.chunk_id]] @ vector) if c.chunk_id in positions else None for c in doc_chunks]
            bm25 = [_score_of(chunks_lexical, chunk_scores, c.chunk_id) for c in doc_chunks]
            embedded = [c for c in cosines if c is not None]
            signals[doc_id] = {
                "dense": max(embedded, default=0.0),
                "dense_identity": cosines[0] if cosines and cosines[0] is not None else 0.0,
                "lexical": max(bm25, default=0.0),
                "records": record_score.get(doc_id, 0.0),
                "names": names_score.get(doc_id, 0.0),
                "fused": fused.get(doc_id, 0.0),
            }
            passages[doc_id] = _best_passages(doc_chunks, cosines, bm25)
        _add_ranks_and_shares(signals)
        similarity = {doc_id: s["dense"] for doc_id, s in signals.items()}
        return self.assemble({d: signals[d]["fused"] for d in pooled}, passages, len(pooled), similarity, signals)

    def passages(self, doc_id: str) -> list[Passage]:
        """All passages of one document, in reading order (score 0: not ranked)."""
        rows = self.manifest.document_chunks(doc_id)
        return [Passage(chunk_id, section, text, 0.0) for chunk_id, section, text in rows]

    def _mask(self, kind: str, lexical: LexicalIndex, filters: SearchFilters) -> np.ndarray | None:
        if not filters.active:
            return None
        key = (kind, lexical.version, filters)
        mask = self._masks.get(key)
        if mask is None:
            clause, params = filters.sql()
            if kind == "chunks":
                allowed = self.manifest.chunk_ids_where(clause, params)
            else:
                allowed = self.manifest.doc_ids_where(clause, params)
            mask = lexical.mask(allowed)
            if len(self._masks) > 256:
                self._masks.clear()
            self._masks[key] = mask
        return mask


def _score_of(lexical: LexicalIndex, scores: np.ndarray | None, entry_id: str) -> float:
    position = lexical.position(entry_id)
    return float(scores[position]) if scores is not None and position is not None else 0.0


def _best_passages(chunks: list[ChunkInfo], cosines: list[float | None], bm25: list[float]) -> list[Passage]:
    """A document's passages, best first: meaning (exact cosine) and words (BM25) on equal terms,
    each scaled by the document's best, so a passage without a vector competes on its words."""
    top_bm25 = max(bm25, default=0.0) or 1.0
    embedded = [c for c in cosines if c is not None]
    low = min(embedded, default=0.0)
    spread = (max(embedded, default=0.0) - low) or 1.0
    scored = []
    for chunk, cosine, words in zip(chunks, cosines, bm25):
        meaning = (cosine - low) / spread if cosine is not None else 0.0
        scored.append(Passage(chunk.chunk_id, chunk.section, chunk.text, 0.5 * meaning + 0.5 * words / top_bm25))
    return sorted(scored, key=lambda p: p.score, reverse=True)[:PASSAGES_PER_HIT]


def _add_ranks_and_shares(signals: dict[str, dict[str, float]]) -> None:
    """For each signal: the candidate's rank (1 = best) and its share of the best candidate's value."""
    for name in ("dense", "lexical", "records", "names", "fused"):
        ordered = sorted(signals, key=lambda d: signals[d][name], reverse=True)
        best = signals[ordered[0]][name] if ordered else 0.0
        for rank, doc_id in enumerate(ordered, start=1):
            value = signals[doc_id][name]
            signals[doc_id][f"{name}_rank"] = float(rank) if value > 0 else float(len(ordered) + 1)
            signals[doc_id][f"{name}_share"] = value / best if best > 0 else 0.0


def _hit(info: DocumentInfo, score: float, passages: list[Passage], similarity: float, signals: dict[str, float]) -> Hit:
    return Hit(
        doc_id=info.doc_id,
        source=info.source,
        title=info.title,
        score=score,
        url=info.url,
        passages=passages,
        services=info.services,
        audience=info.audience,
        valid_from=info.valid_from,
        valid_until=info.valid_until,
        links=info.links,
        names=info.names,
        similarity=similarity,
        signals=signals,
    )
