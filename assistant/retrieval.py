"""Retrieval for the assistant, in three typed stages: understand, gather candidates, rerank.

`Retriever.retrieve(turns)` reads the last turn with the ones before it (`Understander`),
gathers candidates for the need from every search step of the index
(`KnowledgeIndex.candidates`) and orders them with the reranker. Search and drafts, in the
CLI and in the console, all go through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from assistant.rerank import Reranker, load_reranker
from assistant.understanding import Understander, Understanding
from knowledge.filters import SearchFilters
from knowledge.index import KnowledgeIndex
from knowledge.lexical import fold
from knowledge.types import Hit

# A situation of the writer that changes a procedure: the words that find its snippet, and
# what the snippet's title must say for it to be that situation's snippet.
SITUATIONS = {
    "handicap": ("situation de handicap aménagements", r"handicap|amenagement"),
    "boursier": ("boursier bourse sur critères sociaux", r"bours"),
    "apprenti": ("apprentissage contrat d'apprentissage", r"apprenti|alternance"),
    "outre_mer": ("outre-mer", r"outre-mer|outremer"),
    "etranger": ("étudiant étranger diplôme étranger", r"etranger"),
    "adulte": ("reprise d'études adulte", r"reprise|adulte"),
    "sport_haut_niveau": ("sportif de haut niveau", r"haut niveau"),
}


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

    def complement(self, understood: Understanding, main: Hit, service: str | None = None) -> Hit | None:
        """The snippet for the writer's situation (disability, scholarship…) that the main answer
        does not already give, if the base has one; never instead of the main answer."""
        for situation in understood.profile.situations:
            if situation not in SITUATIONS:
                continue
            words, cue = SITUATIONS[situation]
            if re.search(cue, fold(main.title)):
                return None  # the main answer is already about that situation
            query = replace(understood, need=f"{understood.need} {words}", names=())
            filters = SearchFilters(sources=("oscar",), services=(service,) if service else ())
            candidates = self.index.candidates(query.query, filters=filters, dense_query=query.short_query)
            for hit in self.reranker.rerank(query, candidates, service)[:5]:
                if hit.doc_id != main.doc_id and re.search(cue, fold(hit.title)):
                    return hit
        return None

    def warm(self) -> None:
        """Load what the first search would (vocabulary, passage vectors, lexical indexes)."""
        self.retrieve(["orientation"])
