"""The drafting chain: scrub -> retrieve -> draft -> check, as LangChain runnables.

Each stage is a plain function over a small state dict; the chain only wires them. The
message and the conversation's earlier turns are pseudonymised before anything else sees
them; if scrubbing fails, the chain stops (`ScrubFailed` propagates: fail closed).
Retrieval is itself three typed stages: understand the message with the earlier turns (the
need, the profile, the intent), gather candidates for the need, rerank them.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Sequence

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant import charter
from assistant.confidence import ABSTAIN_BELOW, confidence
from assistant.focus import focus
from assistant.drafting import DraftFailed, Drafter, ExtractiveDrafter
from assistant.pii import MappingStore, Scrubber
from assistant.retrieval import Retrieval, Retriever
from assistant.types import CharterFlag, Citation, Draft
from knowledge.index import KnowledgeIndex
from knowledge.types import Hit

log = logging.getLogger(__name__)

CANDIDATES = 8
DRAFT_CHECK_CACHE = 4096  # distinct draft texts whose personal-data check is remembered
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
    retriever: Retriever | None = None

    def __post_init__(self) -> None:
        self.retriever = self.retriever or Retriever(self.index)
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
            config: RunnableConfig | None = None, history: Sequence[str] = ()) -> Draft:
        """A draft for `question`, the conversation's earlier user turns being `history`."""
        state = {"question": question, "history": tuple(history), "service": service, "conversation_id": conversation_id}
        return self.chain.invoke(state, config)

    def draft_scrubbed(self, question: str, service: str | None = None, history: Sequence[str] = ()) -> Draft:
        """Draft for a question (and earlier turns) already pseudonymised (the web app keeps its own mappings)."""
        return self.drafting.invoke({"question": question, "history": tuple(history), "service": service, "entities": ()})

    def retrieve(self, turns: Sequence[str], service: str | None = None, k: int = CANDIDATES) -> Retrieval:
        return self.retriever.retrieve(turns, service, k)

    # -- stages ---------------------------------------------------------------------------
    def _scrub(self, state: dict[str, Any]) -> dict[str, Any]:
        mapping = self.mappings.get(state["conversation_id"])
        scrubbed = self.scrubber.scrub(state["question"], mapping)
        history = tuple(self.scrubber.scrub(turn, mapping).text for turn in state.get("history", ()))
        return {**state, "question": scrubbed.text, "history": history, "entities": scrubbed.entities}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        found = self.retrieve([*state.get("history", ()), state["question"]], state["service"])
        hits = found.hits
        today = self.today()
        usable = [hit for hit in hits if _valid_on(hit, today)]
        need = found.understood.need or state["question"]
        if usable:
            usable[0] = focus(need, usable[0], self.index)
        return {**state, "understood": found.understood, "need": need, "hits": hits, "usable": usable,
                "flags": charter.validity_flags(hits[:3], today)}

    def _draft(self, state: dict[str, Any]) -> dict[str, Any]:
        usable: list[Hit] = state["usable"]
        score = confidence(state["need"], usable[0]) if usable else 0.0
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
            understood=state["understood"].to_json(),
        )
