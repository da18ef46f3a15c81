"""Confidence of a draft from retrieval evidence: does the best source really answer?

Two signals, both cheap: the dense similarity of the best passage (multilingual-e5 cosines
sit in a narrow band, so they are rescaled) and how much of the question's vocabulary the
best source covers. Weights and the abstention threshold are calibrated on
`evals/datasets/answerable_dev.jsonl` (`bench/bench_assistant.py` prints the sweep).
"""

from __future__ import annotations

from knowledge.lexical import tokenize
from knowledge.types import Hit

SIM_LOW, SIM_HIGH = 0.78, 0.90
DENSE_WEIGHT = 0.4
ABSTAIN_BELOW = 0.52  # best balance of abstention precision and recall on the dev set


def coverage(question: str, hit: Hit) -> float:
    """Share of the question's content tokens that the hit's title and passages contain."""
    asked = set(tokenize(question))
    if not asked:
        return 0.0
    found = set(tokenize(hit.title + " " + " ".join(p.text for p in hit.passages)))
    return len(asked & found) / len(asked)


def confidence(question: str, hit: Hit) -> float:
    dense = min(1.0, max(0.0, (hit.similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW)))
    return DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * coverage(question, hit)
