"""Retrieval for the assistant, in three typed stages: understand, gather candidates, rerank.

`Retriever.retrieve(turns)` reads the last turn with the ones before it (`Understander`),
gathers candidates for the need from every search step of the index
(`KnowledgeIndex.candidates`) and orders them with the reranker. Search and drafts, in the
CLI and in the console, all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.rerank import Reranker, load_reranker
from assistant.understanding import Understander, Understanding
from knowledge.filters import SearchFilters
from knowledge.index import KnowledgeIndex
from knowledge.types import Hit


@dataclass(frozen=True)
class Retrieval:
    """How a message was understood, and the documents that answer it, best first."""

    understood: Understanding
    hits: list[Hit]

    def to_json(self) -> dict:
        return {"understood": self.understood.to_json(), "results": [hit.to_json() for hit in self.hits]}


class Retriever:
    def __init__(self, index: KnowledgeIndex, understander: Understander | None = None,
                 reranker: Reranker | None = None) -> None:
        self.index = index
        self.understander = understander or Understander(index)
        self.reranker = reranker or load_reranker()

    def retrieve(self, turns: Sequence[str], service: str | None = None, k: int = 10,
                 filters: SearchFilters = SearchFilters()) -> Retrieval:
        """The documents that answer the last of `turns`, best first.

        The service is a preference the ranker weighs, not a filter (a Parcoursup question about
        a métier still finds its fiche); `filters` restrict the candidates."""
        understood = self.understander.run(turns)
        if not understood.need:
            return Retrieval(understood, [])
        candidates = self.index.candidates(understood.query, filters=filters, dense_query=understood.short_query)
        return Retrieval(understood, self.reranker.rerank(understood, candidates, service)[:k])

    def warm(self) -> None:
        """Load what the first search would (vocabulary, passage vectors, lexical indexes)."""
        self.retrieve(["orientation"])
