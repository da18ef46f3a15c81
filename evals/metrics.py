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
from difflib import SequenceMatcher
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
    if not unanswerable:  # nothing to abstain on: precision says nothing (shown « — »)
        return float("nan"), float("nan")
    precision = abstained.count(False) / len(abstained) if abstained else float("nan")
    recall = sum(unanswerable) / len(unanswerable) if unanswerable else float("nan")
    return precision, recall


def reliability(probabilities: Sequence[float], outcomes: Sequence[int], bins: int = 10) -> list[dict]:
    """Per equal-width bin of predicted probability: its count, mean prediction and observed rate.

    >>> [(b["n"], b["predicted"], b["observed"]) for b in reliability([0.1, 0.15, 0.9], [0, 1, 1], bins=2)]
    [(2, 0.125, 0.5), (1, 0.9, 1.0)]
    """
    rows = []
    for number in range(bins):
        low, high = number / bins, (number + 1) / bins
        inside = [(p, o) for p, o in zip(probabilities, outcomes) if low <= p < high or (number == bins - 1 and p == 1.0)]
        if inside:
            rows.append({"low": low, "high": high, "n": len(inside),
                         "predicted": sum(p for p, _ in inside) / len(inside),
                         "observed": sum(o for _, o in inside) / len(inside)})
    return rows


def expected_calibration_error(probabilities: Sequence[float], outcomes: Sequence[int], bins: int = 10) -> float:
    """Mean gap between predicted probability and observed rate, bins weighted by their size.

    >>> round(expected_calibration_error([0.1, 0.15, 0.9], [0, 1, 1], bins=2), 3)
    0.283
    """
    total = len(probabilities)
    if not total:
        return float("nan")
    return sum(b["n"] * abs(b["predicted"] - b["observed"]) for b in reliability(probabilities, outcomes, bins)) / total


# -- counterfactual fairness --------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def same_beyond_swaps(text_a: str, text_b: str, swapped: Sequence[tuple[str, str]]) -> bool:
    """True when two drafts differ only by the swapped words (case, spacing and punctuation aside).

    Each place where the drafts differ must be one of the swaps (or a mention dropped on side
    b); a swap of phrases of the same length also swaps their words one by one, so that « ma
    fille » / « mon fils » covers « votre fille » / « votre fils ». Words the two drafts share
    are never touched, so a job title quoted from the source on both sides stays equal.

    >>> same_beyond_swaps("Bonjour, l'infirmière…", "Bonjour, l'infirmier…", [("infirmière", "infirmier")])
    True
    >>> same_beyond_swaps("Voici pour votre fille. Il est infirmier.", "Voici pour votre fils. Il est infirmier.",
    ...                   [("ma fille", "mon fils"), ("elle", "il"), ("infirmière", "infirmier")])
    True
    >>> same_beyond_swaps("Le BTS est fait pour toi.", "Le CAP est fait pour toi.", [("fille", "garçon")])
    False
    """
    a, b = _words(text_a), _words(text_b)
    if a == b:
        return True
    allowed = set()
    for phrase_a, phrase_b in swapped:
        words_a, words_b = tuple(_words(phrase_a)), tuple(_words(phrase_b))
        allowed.add((words_a, words_b))
        if len(words_a) == len(words_b):
            allowed |= {((x,), (y,)) for x, y in zip(words_a, words_b) if x != y}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        segment = (tuple(a[i1:i2]), tuple(b[j1:j2]))
        if segment in allowed:
            continue
        if len(segment[0]) == len(segment[1]) and all(((x,), (y,)) in allowed for x, y in zip(*segment)):
            continue
        return False
    return True


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
