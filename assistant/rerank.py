"""The rerank stage: score each candidate document against the need, best first.

No multilingual cross-encoder ships with its weights inside a Python package, so the ranker
is learned over features of each (need, candidate) pair: what each search step says of it
(exact passage similarity, BM25 over chunks, whole records and names, their ranks and the
previous hybrid's fused score), whether the need names the fiche (title, other names,
lexicon), and whether its source fits the intent and the conversation's service. A logistic
regression over them is fitted on the `train` splits only (`python -m evals.train_ranker`)
and shipped as data (`assistant/models/ranker.json`). The features never read the profile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, Sequence

from assistant.logistic import Logistic
from assistant.understanding import INTENTS, Understanding, plain_title
from knowledge.lexical import fold, tokenize
from knowledge.types import Hit

RANKER = Path(__file__).parent / "models" / "ranker.json"
SOURCES = ("oscar", "ideo-metier", "ideo-formation")
INTENT_SOURCE = {"metier": "ideo-metier", "formation": "ideo-formation", "procedure": "oscar", "orientation": "oscar"}


class Reranker(Protocol):
    """A typed stage: the need and its candidates in, the candidates scored and ordered out."""

    def rerank(self, understood: Understanding, candidates: Sequence[Hit], service: str | None = None) -> list[Hit]: ...


def features(understood: Understanding, hit: Hit, service: str | None, need_tokens: set[str] | None = None) -> dict[str, float]:
    """What the ranker reads of one candidate (every value in [0, 1] or a small count);
    `need_tokens`, the query's retrieval tokens, when the caller already has them."""
    signals = hit.signals
    need_tokens = need_tokens if need_tokens is not None else set(tokenize(understood.query))
    named = max((m.length for m in understood.names if m.doc_id == hit.doc_id), default=0)
    title_tokens = set(tokenize(hit.title))
    title = fold(plain_title(hit.title))
    from_lexicon = any(fold(e.expansion) == title for e in understood.expansions if e.origin == "lexique")
    row = {
        "dense": signals.get("dense", 0.0),
        "dense_identity": signals.get("dense_identity", 0.0),
        "dense_gap": signals.get("dense_share", 0.0),
        "dense_rank": 1.0 / signals.get("dense_rank", 100.0),
        "lexical": signals.get("lexical_share", 0.0),
        "lexical_rank": 1.0 / signals.get("lexical_rank", 100.0),
        "records": signals.get("records_share", 0.0),
        "records_rank": 1.0 / signals.get("records_rank", 100.0),
        "names": signals.get("names_share", 0.0),
        "names_rank": 1.0 / signals.get("names_rank", 100.0),
        "fused": signals.get("fused_share", 0.0),
        "fused_rank": 1.0 / signals.get("fused_rank", 100.0),
        "named": min(named, 4) / 4.0,
        "named_by_lexicon": float(from_lexicon),
        "title_coverage": len(need_tokens & title_tokens) / len(title_tokens) if title_tokens else 0.0,
        "need_in_title": len(need_tokens & title_tokens) / len(need_tokens) if need_tokens else 0.0,
        # an unknown service (a bare CLI question) is no evidence against any snippet
        "service_snippet": float(hit.source == "oscar" and (service is None or service in hit.services)),
        "intent_source": float(INTENT_SOURCE.get(understood.intent) == hit.source),
        "followup": float(understood.followup),
    }
    for source in SOURCES:
        row[f"source_{source}"] = float(hit.source == source)
        for intent in INTENTS:
            row[f"intent_{intent}_{source}"] = float(hit.source == source and understood.intent == intent)
    return row


@dataclass(frozen=True)
class LearnedRanker(Logistic):
    """A logistic regression over `features`, its weights read from a JSON file."""

    @classmethod
    def load(cls, path: Path = RANKER) -> "LearnedRanker":
        return cls(**Logistic.fields(json.loads(path.read_text(encoding="utf-8"))))

    def score(self, row: dict[str, float]) -> float:
        """Probability that the candidate answers the need."""
        return self.probability(row)

    def rerank(self, understood: Understanding, candidates: Sequence[Hit], service: str | None = None) -> list[Hit]:
        need_tokens = set(tokenize(understood.query))
        scored = []
        for hit in candidates:
            score = self.score(features(understood, hit, service, need_tokens))
            scored.append(replace(hit, score=score, signals={**hit.signals, "rerank": score}))
        return sorted(scored, key=lambda h: h.score, reverse=True)


class FusedOrder:
    """The previous hybrid's order (no learning): a baseline and a fallback without a model file."""

    def rerank(self, understood: Understanding, candidates: Sequence[Hit], service: str | None = None) -> list[Hit]:
        return sorted(candidates, key=lambda h: h.signals.get("fused", h.score), reverse=True)


def load_reranker(path: Path = RANKER) -> Reranker:
    return LearnedRanker.load(path) if path.exists() else FusedOrder()
