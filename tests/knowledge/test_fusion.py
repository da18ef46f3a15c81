import pytest

from knowledge.fusion import FusionParams, fuse, rank_documents

pytestmark = pytest.mark.unit


def test_rank_documents_keeps_each_document_at_its_best_chunk():
    hits = [("d1#0", "d1", 0.9), ("d2#0", "d2", 0.8), ("d1#3", "d1", 0.7), ("d3#1", "d3", 0.5)]
    assert rank_documents(hits) == ["d1", "d2", "d3"]


def test_a_document_found_by_both_sides_beats_one_found_by_one():
    scores = fuse(["a", "b"], ["b", "c"], FusionParams(dense_weight=1.0, lexical_weight=1.0, rrf_k=60))
    assert max(scores, key=scores.get) == "b"


def test_lexical_weight_zero_gives_the_dense_order():
    scores = fuse(["a", "b", "c"], ["c", "b"], FusionParams(dense_weight=1.0, lexical_weight=0.0))
    assert sorted(scores, key=scores.get, reverse=True) == ["a", "b", "c"]


def test_weights_decide_between_the_two_first_ranks():
    dense_first = fuse(["a"], ["b"], FusionParams(dense_weight=1.0, lexical_weight=0.5))
    lexical_first = fuse(["a"], ["b"], FusionParams(dense_weight=0.5, lexical_weight=1.0))
    assert dense_first["a"] > dense_first["b"]
    assert lexical_first["b"] > lexical_first["a"]
