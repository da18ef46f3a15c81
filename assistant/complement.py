"""The complement: the snippet for the writer's situation (disability, scholarship…) that a draft
adds to its main answer, never instead of it.

A typed stage: how the message was understood and the main source in, one snippet (or none)
out. The situation chooses the snippets that may serve (those about it: its words in their
title or text); the need chooses among them (a scholarship holder asking about a move gets the
mobility aid, one asking about fees gets the fee exemption). The main answer never depends on
it: it is chosen before, from the need alone.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.rerank import Reranker
from assistant.understanding import Understanding
from knowledge.filters import SearchFilters
from knowledge.index import KnowledgeIndex
from knowledge.lexical import fold
from knowledge.types import Hit

# A situation of the writer that changes a procedure: the words that find its snippets, and what
# a snippet's title or text must say for it to be about that situation.
SITUATIONS = {
    "handicap": ("situation de handicap aménagements", r"handicap|amenagement"),
    "boursier": ("boursier bourse sur critères sociaux", r"boursier|boursiere|bourse"),
    "apprenti": ("apprentissage contrat d'apprentissage", r"apprenti|alternance"),
    "outre_mer": ("outre-mer", r"outre-mer|outremer|ultramarin"),
    "etranger": ("étudiant étranger diplôme étranger", r"etranger|international"),
    "adulte": ("reprise d'études adulte", r"reprise|reprendre|adulte"),
    "sport_haut_niveau": ("sportif de haut niveau", r"haut niveau"),
}
POOL = 5  # snippets about the situation weighed against the need


def complement(index: KnowledgeIndex, reranker: Reranker, understood: Understanding, main: Hit,
               service: str | None = None) -> Hit | None:
    """The snippet for the writer's situation that the main answer does not already give, if the
    base has one: of the snippets about that situation, the one that best fits the need."""
    filters = SearchFilters(sources=("oscar",), services=(service,) if service else ())
    for situation in understood.profile.situations:
        if situation not in SITUATIONS:
            continue
        words, cue = SITUATIONS[situation]
        if re.search(cue, fold(main.title)):
            continue  # the main answer is already about that situation; another one may still add its own
        query = replace(understood, need=f"{understood.need} {words}", names=(),
                        neutral=f"{understood.neutral} {words}" if understood.neutral else "")
        about = [hit for hit in index.candidates(query.query, filters=filters, dense_query=query.short_query)
                 if hit.doc_id != main.doc_id and _about(index, hit, cue)]
        ranked = reranker.rerank(query, about, service)[:POOL]
        if ranked:
            return ranked[0]
    return None


def _about(index: KnowledgeIndex, hit: Hit, cue: str) -> bool:
    """Is the snippet about the situation: its title says it, or its text does more than once."""
    if re.search(cue, fold(hit.title)):
        return True
    text = fold(" ".join(p.text for p in index.passages(hit.doc_id)))
    return len(re.findall(cue, text)) >= 2
