"""Fusion of dense and lexical rankings at document level (weighted reciprocal rank fusion).

Fusing at document level (each side ranks documents by their best chunk) and a small RRF
constant let the first ranks of each side dominate. With our folded French tokens, the
lexical side is nearly as strong as the dense one on fiche titles, so it gets almost equal
weight; 0.9 breaks ties in favour of meaning. Tuned on `evals/datasets/retrieval_dev.jsonl`
(`python bench/bench_search.py --tune` prints the grid).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class FusionParams:
    dense_weight: float = 1.0
    lexical_weight: float = 0.9
    rrf_k: float = 10.0


def rank_documents(chunk_hits: Sequence[tuple[str, str, float]]) -> list[str]:
    """Order documents by their best chunk; `chunk_hits` is (chunk_id, doc_id, score), best first."""
    return list(dict.fromkeys(doc_id for _, doc_id, _ in chunk_hits))


def fuse(dense: Sequence[str], lexical: Sequence[str], params: FusionParams) -> dict[str, float]:
    """Weighted RRF of two document rankings: doc_id -> fused score (higher is better).

    >>> fuse(["a", "b"], ["b", "c"], FusionParams(1.0, 1.0, 0.0))
    {'a': 1.0, 'b': 1.5, 'c': 0.5}
    """
    scores: dict[str, float] = {}
    for weight, ranking in ((params.dense_weight, dense), (params.lexical_weight, lexical)):
        if weight <= 0:
            continue
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (params.rrf_k + rank)
    return scores
