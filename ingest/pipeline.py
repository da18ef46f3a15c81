"""The ingest run: read sources, skip unchanged documents, index the rest, delete the vanished.

Incremental and idempotent: a document whose content hash is unchanged is skipped; a changed
one is replaced; one that vanished from a source given to this run is deleted (unless that
source could not be read to the end). See `knowledge.manifest` for why a killed run leaves a
consistent index.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ingest import ideo, oscar
from ingest.chunking import CHUNKING_VERSION, chunk
from ingest.records import Ignored, Rejection, SourceUnreadable
from knowledge.index import KnowledgeIndex
from knowledge.types import Chunk, Document

log = logging.getLogger(__name__)

BATCH_SIZE = 48  # documents per embedding + index write
DEMO_DIR = Path(__file__).parent / "demo"


@dataclass(frozen=True)
class SourceSpec:
    """One input of a run: a source kind and a path."""

    kind: str  # "oscar", "ideo-metier", "ideo-formation"
    path: Path
    demo: bool = False  # the shipped demo base: a real export's record with the same id wins

    def records(self) -> Iterator[Document | Rejection | Ignored]:
        if self.kind == oscar.SOURCE:
            return oscar.parse_oscar(self.path)
        if self.kind == ideo.METIER:
            return ideo.parse_metiers(self.path)
        return ideo.parse_formations(self.path)

    def estimate(self) -> int:
        if self.kind == oscar.SOURCE:
            return oscar.count_records(self.path)
        return ideo.count_records(self.path, "metier" if self.kind == ideo.METIER else "formation")


def demo_sources() -> list[SourceSpec]:
    """The demo knowledge base shipped with Relais (written by us)."""
    return [
        SourceSpec(oscar.SOURCE, DEMO_DIR / "oscar", demo=True),
        SourceSpec(ideo.METIER, DEMO_DIR / "ideo" / "metiers.xml", demo=True),
        SourceSpec(ideo.FORMATION, DEMO_DIR / "ideo" / "formations.xml", demo=True),
    ]


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    ignored: int = 0
    shadowed: int = 0  # demo records left out because a real export holds the same id
    rejected: list[Rejection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # sources that could not be read at all
    chunks: int = 0
    index_version: int = 0
    documents: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "ignored": self.ignored,
            "shadowed": self.shadowed,
            "rejected": [r.to_json() for r in self.rejected],
            "errors": self.errors,
            "chunks_indexed": self.chunks,
            "documents_in_index": self.documents,
            "index_version": self.index_version,
            "seconds": round(self.seconds, 2),
        }


Progress = Callable[[str, int, int], None]  # (label, advance, total estimate)


def run_ingest(
    index: KnowledgeIndex,
    sources: Iterable[SourceSpec],
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestSummary:
    """Bring the index up to date with `sources`; returns what was done."""
    started = time.perf_counter()
    summary = IngestSummary()
    index.collect_orphans()
    seen: dict[str, set[str]] = {}
    complete: dict[str, bool] = {}
    pending: list[tuple[Document, str, list[Chunk]]] = []

    def flush() -> None:
        if pending:
            index.write(pending)
            summary.chunks += sum(len(chunks) for _, _, chunks in pending)
            pending.clear()

    # Real exports first: the demo base reuses real Idéo ids, and the real fiche must win.
    for spec in sorted(sources, key=lambda spec: spec.demo):
        seen.setdefault(spec.kind, set())
        complete.setdefault(spec.kind, True)
        known = index.manifest.hashes(spec.kind)
        label = f"{spec.kind} · {spec.path.name}"
        total = spec.estimate()
        if progress:
            progress(label, 0, total)
        try:
            for record in spec.records():
                if progress:
                    progress(label, 1, total)
                if isinstance(record, Ignored):
                    summary.ignored += 1
                    continue
                if isinstance(record, Rejection):
                    summary.rejected.append(record)
                    complete[spec.kind] = complete[spec.kind] and not record.fatal
                    continue
                if spec.demo and any(record.doc_id in ids for ids in seen.values()):
                    summary.shadowed += 1
                    continue
                if any(record.doc_id in ids for ids in seen.values()):
                    summary.rejected.append(
                        Rejection(spec.kind, record.doc_id, "identifiant en double : seule la première occurrence est gardée")
                    )
                    continue
                seen[spec.kind].add(record.doc_id)
                content_hash = record.content_hash(f"chunking-v{CHUNKING_VERSION}")
                previous = known.get(record.doc_id)
                if previous == content_hash:
                    summary.unchanged += 1
                    continue
                if previous is None:
                    summary.added += 1
                else:
                    summary.updated += 1
                pending.append((record, content_hash, chunk(record, content_hash)))
                if len(pending) >= batch_size:
                    flush()
        except SourceUnreadable as exc:
            summary.errors.append(str(exc))
            complete[spec.kind] = False
        flush()

    for kind, doc_ids in seen.items():
        if not complete[kind]:
            log.warning("source %s incomplete: vanished documents kept", kind)
            continue
        vanished = sorted(set(index.manifest.hashes(kind)) - doc_ids)
        if vanished:
            index.remove(vanished)
            summary.deleted += len(vanished)

    if summary.changed or index.lexical_stale():
        summary.index_version = index.commit()
    else:
        summary.index_version = index.version
    summary.documents = index.manifest.count()
    summary.seconds = time.perf_counter() - started
    return summary
