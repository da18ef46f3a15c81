"""Calibrated confidence: the features read the need only, the calibration means what it says."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression

from assistant.confidence import MODEL, ConfidenceModel, confidence_features, in_words, load_confidence
from assistant.understanding import Profile, Understanding
from evals.metrics import expected_calibration_error, reliability
from evals.train_confidence import best_threshold
from knowledge.types import Hit, Passage

pytestmark = pytest.mark.unit


def test_calibration_error_on_a_hand_checked_set():
    # 10 drafts announced at 0.9, 9 right; 10 at 0.3, 3 right: perfectly calibrated
    probabilities = [0.9] * 10 + [0.3] * 10
    outcomes = [1] * 9 + [0] + [1] * 3 + [0] * 7
    assert expected_calibration_error(probabilities, outcomes) == pytest.approx(0.0)
    # the same drafts announced at 0.6 each: 12 right out of 20 -> observed 0.6 as well, but…
    assert expected_calibration_error([0.6] * 20, outcomes) == pytest.approx(0.0)
    # …announced at 0.9 each, they are over-confident by 0.3
    assert expected_calibration_error([0.9] * 20, outcomes) == pytest.approx(0.3)
    assert [(b["n"], round(b["observed"], 2)) for b in reliability(probabilities, outcomes)] == [(10, 0.3), (10, 0.9)]


def test_isotonic_calibration_repairs_an_over_confident_score():
    rng = random.Random(3)
    raw = [rng.random() for _ in range(4000)]
    right = [int(rng.random() < r * r) for r in raw]  # the truth is the square of the raw score
    calibrated = IsotonicRegression(out_of_bounds="clip").fit(raw, right).predict(raw)
    assert expected_calibration_error(raw, right) > 0.1
    assert expected_calibration_error(calibrated, right) < 0.03


def test_the_threshold_is_the_best_separation_of_unanswerable_questions():
    calibrated = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.3])
    answerable = np.array([True, True, True, False, False, True])
    threshold, precision, recall = best_threshold(calibrated, answerable)
    assert 0.2 < threshold <= 0.3 and (precision, recall) == (1.0, 1.0)


def hit(similarity: float, text: str) -> Hit:
    return Hit(doc_id="oscar:x", source="oscar", title="Confirmer ses vœux", score=0.8, url=None,
               passages=[Passage("oscar:x#0", "", text, 1.0)],
               signals={"dense": similarity, "dense_share": 1.0, "names_share": 0.0, "records_share": 1.0,
                        "lexical_share": 1.0, "fused_rank": 1.0, "dense_rank": 1.0, "records_rank": 1.0})


def test_the_features_read_the_need_and_never_the_profile():
    candidate = [hit(0.88, "Confirmez vos vœux avant la date limite.")]
    banlieue = Understanding(need="comment confirmer mes vœux", profile=Profile(place="Seine-Saint-Denis"))
    neuilly = Understanding(need="comment confirmer mes vœux", profile=Profile(place="Neuilly", situations=("boursier",)))
    assert confidence_features(banlieue, candidate) == confidence_features(neuilly, candidate)
    assert confidence_features(banlieue, candidate)["coverage"] == 1.0


def test_the_shipped_model_is_calibrated_and_trained_on_train_splits_only():
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    assert all(name.endswith(":train") for name in data["trained_on"])
    model = load_confidence()
    assert isinstance(model, ConfidenceModel) and 0.0 < model.abstain_below < model.reliable_from <= 1.0
    assert list(model.calibration_x) == sorted(model.calibration_x)
    need = Understanding(need="comment confirmer mes vœux")
    strong, weak = hit(0.9, "Confirmez vos vœux avant la date limite."), hit(0.74, "Rien à voir.")
    weak.score = 0.05
    assert model.score(need, [strong]) > model.score(need, [weak])


def test_confidence_in_words():
    assert in_words(0.95, False, 0.85) == "fiable"
    assert in_words(0.6, False, 0.85) == "à vérifier"
    assert in_words(0.1, True, 0.85) == "pas de réponse validée"
