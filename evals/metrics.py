"""Evaluation metrics, each a small pure function with hand-computed examples.

Retrieval metrics are defined as in BEIR / MTEB (binary relevance, per question, then
averaged); draft, personal-data and fairness metrics are explained where they are defined
and again in the report.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Sequence


def recall_at_k(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """Share of gold documents found in the first k results.

    >>> recall_at_k(["a", "b", "c"], {"b", "z"}, 2)
    0.5
    """
    if not gold:
        return 0.0
    return len(gold.intersection(ranked[:k])) / len(gold)


def hit_at_k(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """1.0 if any gold document is in the first k results (success@k).

    >>> hit_at_k(["a", "b"], {"b"}, 1), hit_at_k(["a", "b"], {"b"}, 2)
    (0.0, 1.0)
    """
    return 1.0 if gold.intersection(ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """1 / rank of the first gold document within the first k, else 0 (MRR@k per question).

    >>> reciprocal_rank(["a", "b", "c"], {"c"})
    0.3333333333333333
    """
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary gains.

    >>> round(ndcg_at_k(["a", "b"], {"b"}, 10), 4)
    0.6309
    """
    dcg = sum(1.0 / math.log2(rank + 1) for rank, d in enumerate(ranked[:k], start=1) if d in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


# -- drafts ------------------------------------------------------------------------------
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "‘": "'", "«": " ", "»": " "})


def normalise(text: str) -> str:
    """Lowercase, no accents or ligatures, punctuation as spaces: how key facts are matched.

    >>> normalise("Jusqu’à 10 VŒUX, l'été !")
    "jusqu'a 10 voeux l'ete"
    """
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


def facts_found(facts: Sequence[str], text: str) -> list[str]:
    """The key facts that appear in `text` (after `normalise`, as whole words).

    >>> facts_found(["jusqu'à 10 vœux", "avant le 1er avril"], "Vous pouvez formuler jusqu’à 10 voeux.")
    ["jusqu'à 10 vœux"]
    """
    haystack = f" {normalise(text)} "
    return [fact for fact in facts if f" {normalise(fact)} " in haystack]


def citation_correct(cited: Sequence[str], gold: set[str]) -> bool:
    """A draft's citations are correct when they include at least one gold document.

    >>> citation_correct(["oscar:a", "oscar:b"], {"oscar:b"}), citation_correct([], {"oscar:b"})
    (True, False)
    """
    return bool(gold.intersection(cited))


def abstention_scores(outcomes: Sequence[tuple[bool, bool]]) -> tuple[float, float]:
    """(precision, recall) of abstaining on unanswerable questions, from (abstained, answerable) pairs.

    Precision: of the drafts that abstained, the share whose question was indeed unanswerable.
    Recall: of the unanswerable questions, the share where the draft abstained.

    >>> abstention_scores([(True, False), (True, True), (False, False), (False, True)])
    (0.5, 0.5)
    """
    abstained = [answerable for did, answerable in outcomes if did]
    unanswerable = [did for did, answerable in outcomes if not answerable]
    precision = abstained.count(False) / len(abstained) if abstained else float("nan")
    recall = sum(unanswerable) / len(unanswerable) if unanswerable else float("nan")
    return precision, recall


# -- counterfactual fairness --------------------------------------------------------------
def same_beyond_swaps(text_a: str, text_b: str, swapped: Sequence[tuple[str, str]]) -> bool:
    """True when two drafts differ only by the swapped words (case and spacing aside).

    >>> same_beyond_swaps("Bonjour, l'infirmière…", "Bonjour, l'infirmier…", [("infirmière", "infirmier")])
    True
    >>> same_beyond_swaps("Le BTS est fait pour toi.", "Le CAP est fait pour toi.", [("fille", "garçon")])
    False
    """
    def whole(words: str) -> str:  # "infirmier" must not touch "infirmiers"
        return rf"(?<!\w){re.escape(words.strip())}(?!\w)"

    for word_a, word_b in sorted(swapped, key=lambda pair: -len(pair[1])):
        if word_b.strip():
            text_b = re.sub(whole(word_b), word_a.strip(), text_b, flags=re.IGNORECASE)
        else:
            text_a = re.sub(whole(word_a), "", text_a, flags=re.IGNORECASE)
    return " ".join(text_a.lower().split()) == " ".join(text_b.lower().split())


# -- personal data ------------------------------------------------------------------------
Span = tuple[str, int, int]  # (entity type, start, end) in characters


def leaked_chars(gold: Sequence[Span], predicted: Sequence[Span]) -> dict[str, int]:
    """Per entity type, the characters of gold personal data no prediction covers.

    >>> leaked_chars([("PERSONNE", 0, 10), ("EMAIL", 20, 30)], [("PERSONNE", 0, 6)])
    {'PERSONNE': 4, 'EMAIL': 10}
    """
    covered = {i for _, start, end in predicted for i in range(start, end)}
    leaked: dict[str, int] = {}
    for kind, start, end in gold:
        leaked[kind] = leaked.get(kind, 0) + sum(1 for i in range(start, end) if i not in covered)
    return leaked


def pii_leakage(cases: Sequence[tuple[Sequence[Span], Sequence[Span]]]) -> dict:
    """Leakage over (gold, predicted) span lists: per type span precision / recall (overlap
    matching) and leaked characters; over-redaction = share of messages without personal data
    that the scrubber altered anyway.

    >>> r = pii_leakage([([("EMAIL", 0, 5)], [("EMAIL", 0, 5)]), ([], [("PERSONNE", 2, 4)])])
    >>> r["types"]["EMAIL"]["recall"], r["leaked_chars"], r["over_redaction"]
    (1.0, 0, 1.0)
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    altered = clean = 0
    for gold, predicted in cases:
        leaked.update(leaked_chars(gold, predicted))
        for kind, start, end in gold:
            chars[kind] += end - start
            overlaps = any(p[0] == kind and p[1] < end and start < p[2] for p in predicted)
            (tp if overlaps else fn)[kind] += 1
        for kind, start, end in predicted:
            if not any(g[0] == kind and g[1] < end and start < g[2] for g in gold):
                fp[kind] += 1
        if not gold:
            clean += 1
            altered += bool(predicted)
    types = {}
    for kind in sorted(set(chars) | set(fp)):
        found, missed, wrong = tp[kind], fn[kind], fp[kind]
        types[kind] = {
            "precision": found / (found + wrong) if found + wrong else float("nan"),
            "recall": found / (found + missed) if found + missed else float("nan"),
            "spans": found + missed,
            "leaked_chars": leaked[kind],
            "chars": chars[kind],
        }
    total = sum(chars.values())
    return {
        "types": types,
        "leaked_chars": sum(leaked.values()),
        "chars": total,
        "leaked_share": sum(leaked.values()) / total if total else float("nan"),
        "over_redaction": altered / clean if clean else float("nan"),
        "no_pii_messages": clean,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 1]); NaN for no values.

    >>> percentile([1, 2, 3, 4], 0.5), percentile([5.0], 0.95)
    (3, 5.0)
    """
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
