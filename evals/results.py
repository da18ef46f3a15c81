"""What a run's figures mean: labels, direction, the gate's thresholds, and comparing two runs."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

THRESHOLDS = Path(__file__).parent / "thresholds.toml"
TOLERANCE = 0.005  # smaller moves of a share are noise, not an improvement or a regression

# What the quality team reads for the codes kept in results.json.
STAGES = {"search": "recherche seule", "scrub": "pseudonymisation", "retrieve": "récupération des sources",
          "draft": "rédaction", "check": "contrôles de la charte", "ask": "chaîne complète",
          "pii": "détection des données personnelles"}
PARTS = {"retrieval": "recherche", "drafts": "brouillons", "conversations": "conversations", "pii": "données personnelles",
         "fairness": "équité"}
ATTRIBUTE_LABELS = {"gender": "genre", "first_name": "prénom", "origin": "origine", "disability": "handicap", "place": "lieu",
                    "scholarship": "bourse", "age": "âge", "family": "famille"}
FIGURES = {"mrr@10": "MRR@10", "citation_correct": "citation correcte", "abstained": "abstention",
           "leaked_chars": "caractères non masqués", "unchanged": "paire inchangée"}

LABELS = {
    "retrieval.recall@1": "Recherche : rappel@1",
    "retrieval.recall@5": "Recherche : rappel@5",
    "retrieval.recall@10": "Recherche : rappel@10",
    "retrieval.mrr@10": "Recherche : MRR@10",
    "retrieval.ndcg@10": "Recherche : nDCG@10",
    "drafts.citation_correct": "Brouillons : citations correctes",
    "drafts.groundedness": "Brouillons : faits clés dans les sources citées",
    "drafts.fact_coverage": "Brouillons : faits clés dans le brouillon",
    "drafts.abstention_precision": "Abstention : précision",
    "drafts.abstention_recall": "Abstention : rappel",
    "pii.leaked_share": "Données personnelles : part des caractères non masqués",
    "pii.over_redaction": "Données personnelles : messages sans donnée modifiés",
    "fairness.unchanged": "Équité : paires traitées pareil",
    "fairness.complement_found": "Équité : complément attendu ajouté",
    "drafts.calibration_error": "Confiance : erreur de calibration (ECE)",
    "conversations.cited_gold": "Conversations : document attendu cité pour le dernier message",
    "conversations.success@5": "Conversations : document attendu parmi les 5 premières sources",
}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    higher_is_better: bool
    unit: str  # "" for a share, "ms", "car."

    def format(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if self.unit == "ms":
            return f"{value:.1f} ms"
        if self.unit == "car.":
            return f"{value:.0f} car."
        return f"{value:.3f}"

    def format_delta(self, delta: float | None) -> str:
        if delta is None:
            return ""
        return {"ms": f"{delta:+.1f} ms", "car.": f"{delta:+.0f} car."}.get(self.unit, f"{delta:+.3f}")


def metric(name: str) -> Metric:
    """The description of a summary metric, including the per-type, per-stage and per-attribute ones."""
    if name.startswith("fairness.unchanged."):
        attribute = name.rsplit(".", 1)[1]
        return Metric(name, f"Équité : paires traitées pareil ({ATTRIBUTE_LABELS.get(attribute, attribute)})", True, "")
    if name.startswith("latency."):
        stage = name.split(".")[1]
        return Metric(name, f"Latence p95 : {STAGES.get(stage, stage)}", False, "ms")
    if name.startswith("pii.leaked_chars."):
        return Metric(name, f"Caractères non masqués : {name.rsplit('.', 1)[1]}", False, "car.")
    lower = name in ("pii.leaked_share", "pii.over_redaction", "drafts.calibration_error")
    return Metric(name, LABELS.get(name, name), not lower, "")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# -- the gate -----------------------------------------------------------------------------
def load_thresholds(path: Path = THRESHOLDS, suite: str | None = None) -> dict[str, dict[str, float]]:
    """{"min": {metric: floor}, "max": {metric: ceiling}} from a TOML file: the suite's own
    `[<suite>.min]` / `[<suite>.max]` tables when it has some, else `[min]` / `[max]`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"seuils illisibles dans {path} : {exc}") from exc
    from evals.datasets import SUITES

    unknown = set(raw) - {"min", "max", *SUITES}
    if unknown:
        raise ValueError(f"{path} : sections inconnues {sorted(unknown)} (attendu : [min], [max] et [<suite>.min|max])")
    table = raw[suite] if suite and suite in raw else raw
    return {"min": dict(table.get("min", {})), "max": dict(table.get("max", {}))}


def gate(summary: dict[str, float], thresholds: dict[str, dict[str, float]]) -> dict[str, str]:
    """{metric: why it fails, in French} for the metrics past their threshold; empty when the run passes.

    A gated metric the run did not measure fails too: a gate must not pass by omission.
    """
    failures = {}
    for bound, limits in thresholds.items():
        for name, limit in limits.items():
            value = summary.get(name)
            label = metric(name).label
            if _missing(value):
                failures[name] = f"{label} ({name}) : non mesuré, seuil {limit}"
            elif bound == "min" and value < limit:
                failures[name] = f"{label} ({name}) : {value:.3f} < seuil {limit}"
            elif bound == "max" and value > limit:
                failures[name] = f"{label} ({name}) : {value:.3f} > seuil {limit}"
    return failures


# -- comparing two runs -------------------------------------------------------------------
def load_results(run: Path) -> dict:
    path = run / "results.json" if run.is_dir() else run
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"résultats illisibles : {path} ({exc})") from exc


def _verdict(m: Metric, before: float | None, after: float | None) -> str:
    if _missing(before) or _missing(after):
        return "nouveau" if _missing(before) and not _missing(after) else ("disparu" if _missing(after) else "—")
    delta = after - before
    if m.unit == "ms":
        noise = max(1.0, 0.1 * abs(before))  # latency moves by 10 % between identical runs
    elif m.unit == "car.":
        noise = 0.5
    else:
        noise = TOLERANCE
    if abs(delta) <= noise:
        return "stable"
    return "amélioré" if (delta > 0) == m.higher_is_better else "régressé"


# Per question: what is compared, and when it is better (True: higher is better).
_CASE_FIGURES = {
    "retrieval": ("mrr@10", True),
    "drafts": ("citation_correct", True),
    "pii": ("leaked_chars", False),
    "fairness": ("unchanged", True),
}


def compare(before: dict, after: dict) -> dict:
    """Per metric and per question, what improved and what regressed from run `before` to `after`."""
    metrics = []
    for name in list(dict.fromkeys([*before["summary"], *after["summary"]])):
        m = metric(name)
        a, b = before["summary"].get(name), after["summary"].get(name)
        delta = None if _missing(a) or _missing(b) else b - a
        metrics.append({"name": name, "label": m.label, "before": m.format(a), "after": m.format(b), "delta": delta,
                        "delta_text": m.format_delta(delta), "verdict": _verdict(m, a, b)})
    questions = []
    for part, (figure, higher) in _CASE_FIGURES.items():
        old = {c["id"]: c for c in before.get(part, {}).get("cases", [])}
        for case in after.get(part, {}).get("cases", []):
            previous = old.get(case["id"])
            if previous is None or previous.get(figure) is None or case.get(figure) is None:
                continue
            was, now = float(previous[figure]), float(case[figure])
            if was != now:
                questions.append({"part": part, "id": case["id"], "question": case.get("question") or case.get("text") or case.get("a"),
                                  "figure": figure, "before": was, "after": now,
                                  "verdict": "amélioré" if (now > was) == higher else "régressé"})
    abstained = {c["id"]: c["abstained"] for c in before.get("drafts", {}).get("cases", [])}
    for case in after.get("drafts", {}).get("cases", []):
        was = abstained.get(case["id"])
        if was is not None and was != case["abstained"]:
            right = case["abstained"] != case["answerable"]
            questions.append({"part": "drafts", "id": case["id"], "question": case["question"], "figure": "abstained",
                              "before": float(was), "after": float(case["abstained"]),
                              "verdict": "amélioré" if right else "régressé"})
    return {
        "before": before["run"], "after": after["run"], "metrics": metrics,
        "questions": sorted(questions, key=lambda q: (q["verdict"] != "régressé", q["part"], q["id"])),
        "counts": {v: sum(1 for m in metrics if m["verdict"] == v) for v in ("amélioré", "régressé", "stable")},
    }
