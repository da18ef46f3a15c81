"""Fit the calibrated confidence on the `train` splits only; write `assistant/models/confidence.json`.

    python -m evals.train_confidence --home DIR [--out assistant/models/confidence.json]

Run it after `evals.train_ranker` (the confidence reads the reranker's probability). For every
`train` question — retrieval questions, conversations (last turn with the earlier ones), draft
questions answerable or not — the assistant retrieves exactly as in service; the label is 1
when the question is answerable and the first usable candidate is a gold document. A logistic
regression (scikit-learn) is fitted on standardised `confidence_features`; its out-of-fold
probabilities (5 folds) are calibrated by isotonic regression when that beats the regression's
own (Platt) probabilities out of fold; the abstention threshold is the
one that best separates unanswerable questions (F1 of abstaining on them) on those out-of-fold
probabilities, and « fiable » starts where the calibrated probability of being right reaches
0.85. Figures printed: expected calibration error and abstention precision / recall, out of fold.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from assistant.confidence import MODEL, confidence_features
from evals.datasets import DATASETS, ConversationCase, DraftCase, RetrievalCase, load
from evals.metrics import abstention_scores, expected_calibration_error

FILES = (("retrieval_dev.jsonl", RetrievalCase), ("conversations_dev.jsonl", ConversationCase),
         ("answerable_dev.jsonl", DraftCase))
RELIABLE = 0.85


def training_rows(assistant, directory: Path = DATASETS):
    """(feature names, matrix, label: first source right, answerable) over the train questions."""
    names: list[str] = []
    rows, right, answerable = [], [], []
    for file_name, model in FILES:
        for case in load(directory / file_name, model):
            if case.split != "train":
                continue
            turns = list(case.turns) if isinstance(case, ConversationCase) else [case.question]
            retrieval = assistant.retrieve(turns, case.service)
            usable = assistant.usable(retrieval.hits)
            can_answer = bool(getattr(case, "answerable", True))
            if not usable:
                row = None
            else:
                row = confidence_features(retrieval.understood, usable)
            if row is None:
                continue
            names = names or list(row)
            rows.append([row[n] for n in names])
            right.append(int(can_answer and usable[0].doc_id in case.gold))
            answerable.append(can_answer)
    return names, np.asarray(rows, dtype=float), np.asarray(right), np.asarray(answerable)


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    predicted = np.zeros(len(y))
    for train, held in StratifiedKFold(n_splits=5, shuffle=True, random_state=7).split(x, y):
        predicted[held] = LogisticRegression(C=c, max_iter=2000).fit(x[train], y[train]).predict_proba(x[held])[:, 1]
    return predicted


def best_threshold(calibrated: np.ndarray, answerable: np.ndarray) -> tuple[float, float, float]:
    """The threshold with the best F1 of abstaining on unanswerable questions: (threshold, precision, recall)."""
    best = (0.5, float("nan"), float("nan"), -1.0)
    for threshold in np.round(np.arange(0.05, 0.95, 0.01), 2):
        precision, recall = abstention_scores(list(zip(calibrated < threshold, answerable)))
        if np.isnan(precision) or np.isnan(recall) or precision + recall == 0:
            continue
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best[3]:
            best = (float(threshold), precision, recall, f1)
    return best[:3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    from relais.components import open_assistant
    from relais.settings import Settings

    assistant = open_assistant(Settings(home=args.home))
    names, x, right, answerable = training_rows(assistant)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    raw = out_of_fold(z, right, c=1.0)
    isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, right)
    calibrated = np.zeros(len(raw))  # the calibration's own figures out of fold too
    for train, held in StratifiedKFold(n_splits=5, shuffle=True, random_state=11).split(raw, right):
        calibrated[held] = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw[train], right[train]).predict(raw[held])
    # Isotonic calibration only where it beats the regression's own (Platt) probabilities out of fold
    isotonic_helps = expected_calibration_error(calibrated, right) < expected_calibration_error(raw, right)
    if not isotonic_helps:
        calibrated = raw
    threshold, precision, recall = best_threshold(calibrated, answerable)
    # « fiable » means right at least RELIABLE of the time; if no score gets there, the top decile
    reliable_from = RELIABLE if calibrated.max() >= RELIABLE else float(np.quantile(calibrated, 0.9))
    model = LogisticRegression(C=1.0, max_iter=2000).fit(z, right)
    print(f"{len(x)} train questions ({int((~answerable).sum())} unanswerable); first source right for {right.mean():.3f}")
    print(f"out of fold: ECE of the regression {expected_calibration_error(raw, right):.3f}; "
          f"{'isotonic calibration kept' if isotonic_helps else 'isotonic calibration not better: Platt kept'}")
    print(f"abstain below {threshold:.2f}: abstention precision {precision:.3f}, recall {recall:.3f} (out of fold); "
          f"« fiable » from {reliable_from:.2f}")
    xs, ys = (isotonic.X_thresholds_, isotonic.y_thresholds_) if isotonic_helps else ([], [])
    args.out.write_text(json.dumps({
        "model": "logistic regression over assistant.confidence.confidence_features (Platt), "
                 "isotonic calibration when it is better out of fold",
        "trained": date.today().isoformat(), "trained_on": [f"{name}:train" for name, _ in FILES], "questions": len(x),
        "bias": float(model.intercept_[0]), "weights": dict(zip(names, map(float, model.coef_[0]))),
        "means": dict(zip(names, map(float, means))), "scales": dict(zip(names, map(float, scales))),
        "calibration": {"x": [float(v) for v in xs], "y": [float(v) for v in ys]},
        "abstain_below": threshold, "reliable_from": reliable_from,
        "out_of_fold": {"ece": expected_calibration_error(calibrated, right), "abstention_precision": precision,
                        "abstention_recall": recall},
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
