"""The rerank stage: its features, the shipped model, and the order it gives."""

from __future__ import annotations

import json

import pytest

from assistant.lexicon import NameMatch
from assistant.rerank import RANKER, FusedOrder, LearnedRanker, features, load_reranker
from assistant.understanding import Expansion, Profile, Understanding
from knowledge.types import Hit

pytestmark = pytest.mark.unit

SIGNALS = {"dense": 0.86, "dense_identity": 0.86, "dense_share": 1.0, "dense_rank": 1.0, "lexical_share": 1.0,
           "lexical_rank": 1.0, "records_share": 1.0, "records_rank": 1.0, "names_share": 0.0, "names_rank": 40.0,
           "fused": 0.17, "fused_share": 1.0, "fused_rank": 1.0}


def hit(doc_id: str, source: str, title: str, services=("parcoursup", "monmaster", "moel", "allonisep"), **signals) -> Hit:
    return Hit(doc_id=doc_id, source=source, title=title, score=0.0, url=None, services=services,
               signals={**SIGNALS, **signals})


def test_features_read_the_need_and_never_the_profile():
    need = Understanding(need="je veux devenir toubib", intent="metier",
                         expansions=(Expansion("toubib", "médecin généraliste", "lexique"),),
                         names=(NameMatch("ideo-metier:MET.1", "ideo-metier", "médecin généraliste", 2, "médecin généraliste"),))
    candidate = hit("ideo-metier:MET.1", "ideo-metier", "médecin généraliste")
    row = features(need, candidate, "moel")
    assert row["named"] == 0.5 and row["named_by_lexicon"] == 1.0 and row["intent_source"] == 1.0
    assert row["title_coverage"] == 1.0 and row["service_snippet"] == 0.0  # a fiche serves every hotline
    with_profile = Understanding(need=need.need, intent=need.intent, expansions=need.expansions, names=need.names,
                                 profile=Profile(level="terminale", writer="parent", place="Bobigny", situations=("handicap",)))
    assert features(with_profile, candidate, "moel") == row  # equal treatment, by construction


def test_a_snippet_of_the_conversations_service_is_preferred():
    need = Understanding(need="confirmer mes voeux", intent="procedure")
    parcoursup = features(need, hit("oscar:ps", "oscar", "Confirmer ses vœux", services=("parcoursup",)), "parcoursup")
    master = features(need, hit("oscar:mm", "oscar", "Confirmer ses vœux", services=("monmaster",)), "parcoursup")
    assert parcoursup["service_snippet"] == 1.0 and master["service_snippet"] == 0.0


def test_the_shipped_model_knows_every_feature_and_was_trained_on_train_splits_only():
    model = json.loads(RANKER.read_text(encoding="utf-8"))
    row = features(Understanding(need="x"), hit("oscar:a", "oscar", "a"), None)
    assert set(model["weights"]) == set(row) == set(model["means"]) == set(model["scales"])
    assert all(name.endswith(":train") for name in model["trained_on"])
    assert isinstance(load_reranker(), LearnedRanker)


def test_the_learned_ranker_follows_the_evidence():
    need = Understanding(need="combien gagne un aiguilleur du ciel", intent="metier",
                         names=(NameMatch("ideo-metier:MET.1", "ideo-metier", "contrôleur/euse aérien/ne", 3, "aiguilleur du ciel"),))
    named = hit("ideo-metier:MET.1", "ideo-metier", "contrôleur/euse aérien/ne", names_share=1.0, names_rank=1.0)
    weaker = hit("ideo-metier:MET.2", "ideo-metier", "pilote de ligne", dense=0.80, dense_identity=0.80, dense_share=0.93,
                 dense_rank=5.0, lexical_share=0.4, lexical_rank=6.0, records_share=0.5, records_rank=5.0,
                 fused_share=0.6, fused_rank=5.0)
    ranked = load_reranker().rerank(need, [weaker, named], "moel")
    assert [h.doc_id for h in ranked] == ["ideo-metier:MET.1", "ideo-metier:MET.2"]
    assert 0.0 <= ranked[1].score < ranked[0].score <= 1.0 and "rerank" in ranked[0].signals


def test_without_a_model_file_the_fused_order_is_kept(tmp_path):
    assert isinstance(load_reranker(tmp_path / "absent.json"), FusedOrder)
    first, second = hit("a", "oscar", "a", fused=0.1), hit("b", "oscar", "b", fused=0.3)
    assert [h.doc_id for h in FusedOrder().rerank(Understanding(need="x"), [first, second])] == ["b", "a"]
