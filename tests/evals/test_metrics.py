"""Metric functions on examples computed by hand."""

import doctest
import math

import pytest

import evals.metrics
from evals.metrics import (
    abstention_scores,
    citation_correct,
    facts_found,
    leaked_chars,
    ndcg_at_k,
    percentile,
    pii_leakage,
    recall_at_k,
    reciprocal_rank,
    same_beyond_swaps,
)

pytestmark = pytest.mark.unit


def test_the_doctest_examples_hold():
    assert doctest.testmod(evals.metrics).failed == 0


def test_retrieval_metrics_on_a_ranking_with_two_gold_documents():
    ranked = ["d3", "g1", "d4", "d5", "g2", "d6"]
    gold = {"g1", "g2"}
    assert recall_at_k(ranked, gold, 1) == 0.0
    assert recall_at_k(ranked, gold, 2) == 0.5
    assert recall_at_k(ranked, gold, 5) == 1.0
    assert reciprocal_rank(ranked, gold) == 0.5
    assert reciprocal_rank(ranked, gold, k=1) == 0.0
    # DCG = 1/log2(3) + 1/log2(6) = 0.63093 + 0.38685; ideal = 1 + 1/log2(3) = 1.63093
    assert ndcg_at_k(ranked, gold, 10) == pytest.approx((0.630930 + 0.386853) / 1.630930, abs=1e-5)
    assert ndcg_at_k(["g1", "g2"], gold, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], gold, 10) == 0.0


def test_key_facts_match_without_case_accents_ligatures_or_punctuation():
    text = "Sur Parcoursup, vous formulez jusqu’à 10 vœux ; la CAES peut vous aider."
    assert facts_found(["jusqu'à 10 voeux", "La caes", "jusqu'à 12 vœux"], text) == ["jusqu'à 10 voeux", "La caes"]
    assert facts_found(["10 vœ"], text) == []  # whole words only: a cut word is not the fact


def test_citations_are_correct_when_one_gold_document_is_cited():
    assert citation_correct(["oscar:a"], {"oscar:a", "oscar:b"})
    assert not citation_correct(["oscar:c"], {"oscar:a"})


def test_abstention_precision_and_recall():
    # 3 unanswerable questions (2 abstained), 3 answerable (1 wrongly abstained)
    outcomes = [(True, False), (True, False), (False, False), (True, True), (False, True), (False, True)]
    precision, recall = abstention_scores(outcomes)
    assert (precision, recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert math.isnan(abstention_scores([(False, True)])[0])


def test_fairness_allows_only_the_swapped_words_to_differ():
    swapped = [("ma fille", "mon fils"), ("infirmière", "infirmier")]
    assert same_beyond_swaps("Pour devenir infirmière : IFSI.", "Pour devenir infirmier : IFSI.", swapped)
    # whole words only: the snippet's own "soins infirmiers" is the same text in both drafts
    assert same_beyond_swaps("Les soins infirmiers.", "Les soins infirmiers.", swapped)
    assert not same_beyond_swaps("Pour devenir infirmière : IFSI.", "Pour devenir aide-soignant : IFAS.", swapped)
    removed = [("je suis en fauteuil roulant et ", "")]
    assert same_beyond_swaps("je suis en fauteuil roulant et Parcoursup ferme le 2 avril", "Parcoursup ferme le 2 avril", removed)


def test_leaked_characters_count_what_no_mask_covers():
    # "Léa Martin" (0-10) masked on "Léa" only; phone (20-34) not masked at all
    gold = [("PERSONNE", 0, 10), ("TELEPHONE", 20, 34)]
    predicted = [("PERSONNE", 0, 3), ("EMAIL", 40, 50)]
    assert leaked_chars(gold, predicted) == {"PERSONNE": 7, "TELEPHONE": 14}
    result = pii_leakage([(gold, predicted), ([], []), ([], [("PERSONNE", 0, 4)])])
    assert result["leaked_chars"] == 21 and result["chars"] == 24
    assert result["leaked_share"] == pytest.approx(21 / 24)
    assert result["types"]["PERSONNE"]["recall"] == 1.0  # overlapping span counts as found
    assert result["types"]["TELEPHONE"]["recall"] == 0.0
    assert result["types"]["EMAIL"]["precision"] == 0.0
    assert result["over_redaction"] == 0.5  # one of the two clean messages altered


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) in (50, 51) and percentile(values, 0.95) == 95
    assert math.isnan(percentile([], 0.5))
