"""Self-contained HTML reports (Jinja2 templates, matplotlib plots inlined as SVG).

A report opens offline from a file: no script, no font, no stylesheet fetched from anywhere.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display here; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: E402
from markupsafe import Markup  # noqa: E402

from evals.results import ATTRIBUTE_LABELS, FIGURES, PARTS, STAGES, gate, metric  # noqa: E402

SERVICES = {"moel": "Mon orientation en ligne", "parcoursup": "Parcoursup", "monmaster": "Mon Master", "—": "sans service"}
BLUE, RED, GREY = "#000091", "#c9191e", "#929292"  # DSFR blue France, red Marianne, grey

_env = Environment(loader=PackageLoader("evals", "templates"), autoescape=select_autoescape(["html", "j2"]))


def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


_env.filters["fmt"] = _fmt
_env.filters["service"] = lambda code: SERVICES.get(code or "—", code)
_env.filters["attribute"] = lambda code: ATTRIBUTE_LABELS.get(code, code)
_env.filters["stage"] = lambda code: STAGES.get(code, code)
_env.filters["part"] = lambda code: PARTS.get(code, code)
_env.filters["figure"] = lambda code: FIGURES.get(code, code)
_env.globals["metric"] = metric


def _svg(figure) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return Markup(text[text.index("<svg"):])  # drop the XML prolog: the SVG sits inside HTML


def _bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str, *, limit: float | None = 1.0,
          unit: str = "") -> Markup:
    """Grouped horizontal bars, one group per label."""
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(labels) * max(1, len(series)) + 1.0))
    height = 0.8 / max(1, len(series))
    colours = [BLUE, RED, GREY]
    for n, (name, values) in enumerate(series.items()):
        positions = [i + n * height for i in range(len(labels))]
        clean = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]
        axes.barh(positions, clean, height=height, label=name, color=colours[n % len(colours)])
        for y, v in zip(positions, clean):
            axes.text(v, y, f" {v:.2f}{unit}" if unit != " ms" else f" {v:.0f}{unit}", va="center", fontsize=8)
    axes.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(labels))], labels)
    axes.invert_yaxis()
    if limit is not None:
        axes.set_xlim(0, limit * 1.12)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=8, loc="lower right")
    return _svg(figure)


def _sweep(sweep: list[dict], current: float) -> Markup:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    thresholds = [row["threshold"] for row in sweep]
    axes.plot(thresholds, [row["precision"] for row in sweep], color=BLUE, marker="o", markersize=3, label="précision")
    axes.plot(thresholds, [row["recall"] for row in sweep], color=RED, marker="o", markersize=3, label="rappel")
    axes.axvline(current, color=GREY, linestyle="--", label=f"seuil actuel ({current})")
    axes.set_ylim(0, 1.05)
    axes.set_xlabel("seuil de confiance sous lequel le brouillon s'abstient", fontsize=8)
    axes.set_title("Abstention selon le seuil", fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8)
    return _svg(figure)


def _reliability(bins: list[dict], ece: float) -> Markup:
    """Reliability diagram: per confidence bin, the share of drafts whose first source was right."""
    figure, axes = plt.subplots(figsize=(4.6, 4.2))
    axes.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="calibration parfaite")
    centres = [(b["low"] + b["high"]) / 2 for b in bins]
    axes.bar(centres, [b["observed"] for b in bins], width=0.09, color=BLUE, alpha=0.85, label="part des bonnes réponses")
    axes.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], color=RED, marker="o", markersize=3,
              linewidth=1, label="confiance moyenne du groupe")
    for centre, b in zip(centres, bins):
        axes.text(centre, b["observed"] + 0.02, str(b["n"]), ha="center", fontsize=7)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.1)
    axes.set_xlabel("confiance annoncée", fontsize=8)
    axes.set_ylabel("part des brouillons dont la première source répond", fontsize=8)
    axes.set_title(f"Fiabilité de la confiance (ECE {ece:.3f})", fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=7, loc="upper left")
    return _svg(figure)


def plots(results: dict) -> dict[str, Markup]:
    retrieval = results["retrieval"]
    by_kind = retrieval["by_kind"]
    by_service = retrieval["by_service"]
    fairness = results["fairness"]["by_attribute"]
    pii_types = {k: v for k, v in results["pii"]["types"].items() if v["chars"]}
    latency = results["latency"]
    return {
        "retrieval_kind": _bars(list(by_kind), {"rappel@5": [g["recall@5"] for g in by_kind.values()],
                                                "MRR@10": [g["mrr@10"] for g in by_kind.values()]},
                                "Recherche par type de question"),
        "retrieval_service": _bars([SERVICES.get(s, s) for s in by_service],
                                   {"rappel@5": [g["recall@5"] for g in by_service.values()],
                                    "MRR@10": [g["mrr@10"] for g in by_service.values()]}, "Recherche par service"),
        "pii": _bars(list(pii_types), {"part masquée": [1 - v["leaked_chars"] / v["chars"] for v in pii_types.values()]},
                     "Données personnelles : part des caractères masqués, par type"),
        "fairness": _bars([ATTRIBUTE_LABELS.get(a, a) for a in fairness],
                          {"paires traitées pareil": [g["unchanged"] for g in fairness.values()]},
                          "Équité contrefactuelle par attribut"),
        "reliability": _reliability(results["drafts"]["calibration"]["bins"], results["drafts"]["calibration"]["ece"]),
        "abstention": _sweep(results["drafts"]["threshold_sweep"], results["run"]["abstain_below"]),
        "latency": _bars([STAGES.get(stage, stage) for stage in latency], {"p50": [v["p50"] for v in latency.values()], "p95": [v["p95"] for v in latency.values()]},
                         "Latence par étape (ms)", limit=None, unit=" ms"),
    }


def render_report(results: dict, thresholds: dict[str, dict[str, float]] | None = None) -> str:
    thresholds = thresholds or {"min": {}, "max": {}}
    limits = {name: ("≥", v) for name, v in thresholds["min"].items()} | {name: ("≤", v) for name, v in thresholds["max"].items()}
    failures = gate(results["summary"], thresholds)
    return _env.get_template("report.html.j2").render(r=results, plots=plots(results), limits=limits, failures=failures)


def render_comparison(comparison: dict) -> str:
    return _env.get_template("compare.html.j2").render(c=comparison)


def write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
