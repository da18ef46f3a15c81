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
from assistant.complement import complement as find_complement
from assistant.confidence import ABSTAIN_BELOW, ConfidenceModel, in_words, load_confidence
from assistant.drafting import DraftFailed, Drafter, DraftRequest, ExtractiveDrafter, clean
from assistant.focus import focus
from assistant.pii import MappingStore, Scrubber
from assistant.retrieval import Retrieval, Retriever
from assistant.types import CharterFlag, Citation, Draft, Source
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


def _source(hit: Hit) -> Source:
    """A candidate source as the counsellor sees it beside the draft: with its best passage."""
    passage = hit.passages[0] if hit.passages else None
    return Source(hit.doc_id, hit.title, hit.url, hit.source, clean(passage.text, hit.title) if passage else "",
                  passage.section if passage else "", round(hit.score, 3))


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
    abstain_below: float | None = None  # None: the threshold chosen on train with the confidence model
    today: Callable[[], date] = date.today
    retriever: Retriever | None = None
    confidence: ConfidenceModel | None = None

    def __post_init__(self) -> None:
        self.retriever = self.retriever or Retriever(self.index)
        self.confidence = self.confidence or load_confidence()
        if self.abstain_below is None:
            self.abstain_below = self.confidence.abstain_below if self.confidence else ABSTAIN_BELOW
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

    def draft_scrubbed(self, question: str, service: str | None = None, history: Sequence[str] = (),
                       source: str | None = None) -> Draft:
        """Draft for a question (and earlier turns) already pseudonymised (the web app keeps its own
        mappings); with `source`, from that candidate source, chosen by a counsellor."""
        state = {"question": question, "history": tuple(history), "service": service, "entities": (), "source": source}
        return self.drafting.invoke(state)

    def retrieve(self, turns: Sequence[str], service: str | None = None, k: int = CANDIDATES) -> Retrieval:
        return self.retriever.retrieve(turns, service, k)

    def usable(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits that may be drafted from today (inside their validity dates)."""
        today = self.today()
        return [hit for hit in hits if _valid_on(hit, today)]

    # -- stages ---------------------------------------------------------------------------
    def _scrub(self, state: dict[str, Any]) -> dict[str, Any]:
        mapping = self.mappings.get(state["conversation_id"])
        scrubbed = self.scrubber.scrub(state["question"], mapping)
        history = tuple(self.scrubber.scrub(turn, mapping).text for turn in state.get("history", ()))
        return {**state, "question": scrubbed.text, "history": history, "entities": scrubbed.entities}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        found = self.retrieve([*state.get("history", ()), state["question"]], state["service"])
        hits = found.hits
        usable = self.usable(hits)
        chosen = state.get("source")
        if chosen:  # a counsellor picked this candidate: it leads, the others stay as evidence
            usable = [h for h in usable if h.doc_id == chosen] + [h for h in usable if h.doc_id != chosen]
        understood = found.understood
        if usable:
            usable[0] = focus(understood.need or state["question"], usable[0], self.index)
        complement = (find_complement(self.index, self.retriever.reranker, understood, usable[0], state["service"])
                      if usable else None)
        return {**state, "understood": understood, "hits": hits, "usable": usable, "complement": complement,
                "flags": charter.validity_flags(hits[:3], self.today())}

    def _draft(self, state: dict[str, Any]) -> dict[str, Any]:
        usable: list[Hit] = state["usable"]
        understood = state["understood"]
        score = self.confidence.score(understood, usable) if self.confidence else (usable[0].score if usable else 0.0)
        drafter, fallback_reason = self.drafter, None
        chosen = bool(state.get("source")) and bool(usable) and usable[0].doc_id == state["source"]
        if score < self.abstain_below and not chosen:
            return {**state, "confidence": score, "abstained": True, "text": ABSTENTION, "main_text": ABSTENTION,
                    "cited": [], "drafter": drafter, "fallback_reason": None}
        request = DraftRequest(question=state["question"], understood=understood, evidence=usable,
                               history=tuple(state.get("history", ())), complement=state["complement"],
                               passages=self.index.passages)
        try:
            composed = drafter.compose(request)
        except DraftFailed as exc:
            log.warning("drafter %s failed: %s", drafter.name, exc)
            drafter, fallback_reason = self.fallback, str(exc)
            composed = drafter.compose(request)
        return {**state, "confidence": score, "abstained": False, "text": composed.text, "cited": composed.cited,
                "main_text": composed.main_text or composed.text, "drafter": drafter, "fallback_reason": fallback_reason}

    def _check(self, state: dict[str, Any]) -> Draft:
        citations = [_citation(hit) for hit in state["cited"]]
        flags: list[CharterFlag] = state["flags"] + charter.check(
            state["text"], state["question"], citations, state["cited"], state["abstained"], self._find_in_draft
        )
        drafter = state["drafter"]
        complement = state["complement"] if state["complement"] in state["cited"] else None
        reliable_from = self.confidence.reliable_from if self.confidence else 0.8
        return Draft(
            question=state["question"],
            text=state["text"],
            citations=citations,
            sources=[_source(hit) for hit in state["hits"][:5]],
            confidence=state["confidence"],
            confidence_words=in_words(state["confidence"], state["abstained"], reliable_from),
            abstained=state["abstained"],
            main_text=state["main_text"],
            complement=_citation(complement) if complement else None,
            chosen_source=state.get("source"),
            drafter=drafter.name,
            model=drafter.model,
            index_version=self.index.version,
            entities=state["entities"],
            flags=flags,
            fallback_reason=state["fallback_reason"],
            understood=state["understood"].to_json(),
        )
