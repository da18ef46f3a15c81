"""The retrieval chain: scrub -> retrieve -> draft -> check, as LangChain runnables.

Each stage is a plain function over a small state dict; the chain only wires them. The
question is pseudonymised before anything else sees it; if scrubbing fails, the chain stops
(`ScrubFailed` propagates: fail closed).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant import charter
from assistant.confidence import ABSTAIN_BELOW, confidence
from assistant.focus import focus
from assistant.drafting import DraftFailed, Drafter, ExtractiveDrafter
from assistant.pii import MappingStore, Scrubber
from assistant.types import CharterFlag, Citation, Draft
from knowledge.index import KnowledgeIndex
from knowledge.langchain import RelaisRetriever
from knowledge.types import Hit

log = logging.getLogger(__name__)

CANDIDATES = 8
DRAFT_CHECK_CACHE = 4096  # distinct draft texts whose personal-data check is remembered
SERVICE_BOOST = 0.25  # a Parcoursup conversation prefers Parcoursup snippets
ABSTENTION = (
    "Je n'ai pas trouvé de réponse validée dans la base pour cette question. "
    "Les sources les plus proches sont listées ci-dessous : vérifiez-les ou rédigez votre propre réponse."
)


def _citation(hit: Hit) -> Citation:
    return Citation(hit.doc_id, hit.title, hit.url, hit.source)


def _valid_on(hit: Hit, today: date) -> bool:
    return not ((hit.valid_from and hit.valid_from > today) or (hit.valid_until and hit.valid_until < today))


@dataclass
class Assistant:
    """Drafts answers for counsellors from the knowledge index."""

    index: KnowledgeIndex
    scrubber: Scrubber
    mappings: MappingStore
    drafter: Drafter
    fallback: ExtractiveDrafter = ExtractiveDrafter()
    abstain_below: float = ABSTAIN_BELOW
    today: Callable[[], date] = date.today

    def __post_init__(self) -> None:
        self.drafting: Runnable = (
            RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._draft, name="draft")
            | RunnableLambda(self._check, name="check")
        )
        self.chain: Runnable = RunnableLambda(self._scrub, name="scrub") | self.drafting
        # An extractive draft is the same text each time its source is chosen: its personal-data
        # check (a spaCy pass, the dearest step of a draft) is done once per distinct text.
        self._find_in_draft = lru_cache(maxsize=DRAFT_CHECK_CACHE)(lambda text: tuple(self.scrubber.find(text)))

    def ask(self, question: str, service: str | None = None, conversation_id: str = "cli",
            config: RunnableConfig | None = None) -> Draft:
        return self.chain.invoke({"question": question, "service": service, "conversation_id": conversation_id}, config)

    def draft_scrubbed(self, question: str, service: str | None = None) -> Draft:
        """Draft for a question already pseudonymised (the web app keeps its own mappings)."""
        return self.drafting.invoke({"question": question, "service": service, "entities": ()})

    # -- stages ---------------------------------------------------------------------------
    def _scrub(self, state: dict[str, Any]) -> dict[str, Any]:
        mapping = self.mappings.get(state["conversation_id"])
        scrubbed = self.scrubber.scrub(state["question"], mapping)
        return {**state, "question": scrubbed.text, "entities": scrubbed.entities}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        retriever = RelaisRetriever(index=self.index, k=CANDIDATES)
        hits: list[Hit] = [doc.metadata["hit"] for doc in retriever.invoke(state["question"])]
        service = state["service"]
        if service:
            for hit in hits:
                if service in hit.services:
                    hit.score *= 1 + SERVICE_BOOST
            hits.sort(key=lambda h: h.score, reverse=True)
        today = self.today()
        usable = [hit for hit in hits if _valid_on(hit, today)]
        if usable:
            usable[0] = focus(state["question"], usable[0], self.index)
        return {**state, "hits": hits, "usable": usable, "flags": charter.validity_flags(hits[:3], today)}

    def _draft(self, state: dict[str, Any]) -> dict[str, Any]:
        usable: list[Hit] = state["usable"]
        score = confidence(state["question"], usable[0]) if usable else 0.0
        drafter, fallback_reason = self.drafter, None
        if score < self.abstain_below:
            return {**state, "confidence": score, "abstained": True, "text": ABSTENTION, "cited": [],
                    "drafter": drafter, "fallback_reason": None}
        try:
            composed = drafter.compose(state["question"], usable)
        except DraftFailed as exc:
            log.warning("drafter %s failed: %s", drafter.name, exc)
            drafter, fallback_reason = self.fallback, str(exc)
            composed = drafter.compose(state["question"], usable)
        return {**state, "confidence": score, "abstained": False, "text": composed.text, "cited": composed.cited,
                "drafter": drafter, "fallback_reason": fallback_reason}

    def _check(self, state: dict[str, Any]) -> Draft:
        citations = [_citation(hit) for hit in state["cited"]]
        flags: list[CharterFlag] = state["flags"] + charter.check(
            state["text"], state["question"], citations, state["cited"], state["abstained"], self._find_in_draft
        )
        drafter = state["drafter"]
        return Draft(
            question=state["question"],
            text=state["text"],
            citations=citations,
            sources=[_citation(hit) for hit in state["hits"][:5]],
            confidence=state["confidence"],
            abstained=state["abstained"],
            drafter=drafter.name,
            model=drafter.model,
            index_version=self.index.version,
            entities=state["entities"],
            flags=flags,
            fallback_reason=state["fallback_reason"],
        )
