"""Fit the reranker on the `train` splits, and only them; write `assistant/models/ranker.json`.

    python -m evals.train_ranker --home DIR [--out assistant/models/ranker.json]

`--home` is an index holding what the training questions' gold documents are in (the demo
Oscar base and the real Idéo exports). For every `train` question (retrieval, conversations,
answerable draft questions) the assistant understands it and gathers candidates exactly as
in service; each candidate becomes a row of `assistant.rerank.features`, labelled 1 when it
is a gold document. A logistic regression (scikit-learn) is fitted on standardised features;
its regularisation is chosen by 5-fold cross-validation grouped by question (MRR@10 of the
held-out folds, printed). The `test` splits and the golden set are never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from assistant.rerank import RANKER, features
from evals.datasets import DATASETS, ConversationCase, DraftCase, RetrievalCase, load

TRAIN_FILES = (("retrieval_dev.jsonl", RetrievalCase), ("conversations_dev.jsonl", ConversationCase),
               ("answerable_dev.jsonl", DraftCase))
GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


def training_questions(directory: Path = DATASETS) -> list[tuple[str, list[str], str | None, frozenset[str]]]:
    """(id, turns, service, gold) of every `train` question that has gold documents."""
    questions = []
    for name, model in TRAIN_FILES:
        for case in load(directory / name, model):
            if case.split != "train" or not case.gold:
                continue
            turns = list(case.turns) if isinstance(case, ConversationCase) else [case.question]
            questions.append((case.id, turns, case.service, case.gold))
    return questions


def build_rows(assistant, questions) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, int]:
    """Feature matrix, labels and question groups; and how many questions had no gold candidate."""
    names: list[str] = []
    rows, labels, groups = [], [], []
    missed = 0
    for number, (_, turns, service, gold) in enumerate(questions):
        understood = assistant.retriever.understander.run(turns)
        candidates = assistant.index.candidates(understood.query, dense_query=understood.short_query) if understood.need else []
        if not any(hit.doc_id in gold for hit in candidates):
            missed += 1
            continue
        for hit in candidates:
            row = features(understood, hit, service)
            names = names or list(row)
            rows.append([row[n] for n in names])
            labels.append(int(hit.doc_id in gold))
            groups.append(number)
    return names, np.asarray(rows, dtype=float), np.asarray(labels), np.asarray(groups), missed


def mrr(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> float:
    """MRR@10 of the questions in `groups`, ranking each question's candidates by `scores`."""
    values = []
    for group in np.unique(groups):
        mask = groups == group
        order = np.argsort(-scores[mask])[:10]
        hits = np.flatnonzero(labels[mask][order])
        values.append(1.0 / (hits[0] + 1) if len(hits) else 0.0)
    return float(np.mean(values))


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[LogisticRegression, np.ndarray, np.ndarray, dict]:
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    report = {}
    for c in GRID:
        folds = []
        for train, held in GroupKFold(n_splits=5).split(z, y, groups):
            model = LogisticRegression(C=c, max_iter=2000).fit(z[train], y[train])
            folds.append(mrr(model.decision_function(z[held]), y[held], groups[held]))
        report[c] = float(np.mean(folds))
    best = max(report, key=report.get)
    return LogisticRegression(C=best, max_iter=2000).fit(z, y), means, scales, {"C": best, "cv_mrr": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=RANKER)
    args = parser.parse_args()
    from relais.components import open_assistant
    from relais.settings import Settings

    assistant = open_assistant(Settings(home=args.home))
    questions = training_questions()
    names, x, y, groups, missed = build_rows(assistant, questions)
    model, means, scales, report = fit(x, y, groups)
    fused = x[:, names.index("fused")]
    print(f"{len(questions)} train questions, {missed} without a gold document among the candidates; "
          f"{len(x)} rows ({int(y.sum())} positive)")
    print(f"cross-validated MRR@10 by C: {report['cv_mrr']} -> C={report['C']}; "
          f"previous hybrid's order on the same candidates: MRR@10 {mrr(fused, y, groups):.3f}")
    weights = dict(zip(names, (float(w) for w in model.coef_[0])))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "model": "logistic regression over assistant.rerank.features (standardised)",
        "trained": date.today().isoformat(), "trained_on": [f"{name}:train" for name, _ in TRAIN_FILES],
        "questions": len(questions), "rows": len(x), "regularisation_C": report["C"], "cv_mrr": report["cv_mrr"],
        "bias": float(model.intercept_[0]), "weights": weights,
        "means": dict(zip(names, map(float, means))), "scales": dict(zip(names, map(float, scales))),
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, weight in sorted(weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:32} {weight:+.3f}")
    print(f"written: {args.out}")


if __name__ == "__main__":
    sys.exit(main())
