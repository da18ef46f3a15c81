"""Retrieval side by side: plain BM25 over whole records, lexical only, dense only, the
previous hybrid, and the pipeline the assistant uses (understanding + multi-vector + rerank).

    python bench/bench_retrieval.py --home DIR [--split test] [--golden] [--conversations] [--processes 2]

`--home` is an index holding the demo Oscar base and the real Idéo exports (build it with
`relais ingest --oscar ingest/demo/oscar --ideo-metiers … --ideo-formations …`). Figures are
recall@1, recall@5 (share of gold documents found), success@5 and MRR@10, overall, by source
(Idéo / Oscar) and by question kind. Questions whose gold is not in the index are skipped.
Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402

from evals.datasets import DATASETS, ConversationCase, DraftCase, RetrievalCase, load  # noqa: E402
from evals.metrics import hit_at_k, percentile, recall_at_k, reciprocal_rank  # noqa: E402
from knowledge.index import KnowledgeIndex  # noqa: E402
from knowledge.lexical import tokenize  # noqa: E402
from relais.components import open_assistant  # noqa: E402
from relais.settings import Settings  # noqa: E402

Ranker = Callable[[object], list[str]]  # a case -> ranked doc ids


class WholeRecordBM25:
    """The baseline to beat: BM25 over each document's whole text, our French tokens."""

    def __init__(self, index: KnowledgeIndex) -> None:
        texts: dict[str, list[str]] = defaultdict(list)
        for chunk_id, text in index.manifest.all_chunks():
            texts[chunk_id.split("#", 1)[0]].append(text)
        self.doc_ids = sorted(texts)
        self.bm25 = bm25s.BM25()
        self.bm25.index([tokenize("\n".join(texts[d])) or ["_"] for d in self.doc_ids], show_progress=False)

    def rank(self, query: str, k: int = 10) -> list[str]:
        tokens = [t for t in tokenize(query) if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        scores = self.bm25.get_scores([self.bm25.vocab_dict[t] for t in tokens])
        top = scores.argsort()[::-1][:k]
        return [self.doc_ids[i] for i in top if scores[i] > 0]


def figures(rows: Sequence[tuple[float, float, float, float]]) -> dict[str, float]:
    names = ("R@1", "R@5", "S@5", "MRR")
    return {name: statistics.fmean(r[i] for r in rows) for i, name in enumerate(names)} | {"n": len(rows)}


def evaluate(cases: Sequence, rank: Ranker, group: Callable[[object], str]) -> tuple[dict, list[float]]:
    rows: dict[str, list] = defaultdict(list)
    latencies = []
    for case in cases:
        started = time.perf_counter()
        ranked = rank(case)
        latencies.append((time.perf_counter() - started) * 1000)
        gold = set(case.gold)
        row = (recall_at_k(ranked, gold, 1), recall_at_k(ranked, gold, 5), hit_at_k(ranked, gold, 5),
               reciprocal_rank(ranked, gold, 10))
        rows["all"].append(row)
        rows[group(case)].append(row)
    return {name: figures(r) for name, r in rows.items()}, latencies


def source_of(case) -> str:
    return "ideo" if all(g.startswith("ideo") for g in case.gold) else "oscar"


def _side_by_side(count: int) -> None:
    """This benchmark, `count` copies at once (the same arguments but --processes)."""
    argv, skip = [], False
    for arg in sys.argv[1:]:
        if skip or arg.startswith("--processes"):
            skip = arg == "--processes"
            continue
        argv.append(arg)
    copies = [subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE, text=True) for _ in range(count)]
    for number, copy in enumerate(copies, start=1):
        output, _ = copy.communicate()
        print(f"\n######## process {number} of {count} (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')})\n{output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="index with the demo Oscar base and the real Idéo exports")
    parser.add_argument("--split", choices=("train", "test", "all"), default="test")
    parser.add_argument("--golden", action="store_true", help="also the held-out golden set's answerable questions")
    parser.add_argument("--by-kind", action="store_true", help="figures per question kind")
    parser.add_argument("--modes", default="bm25-records,lexical,dense,hybrid,pipeline")
    parser.add_argument("--ask", action="store_true", help="also time `ask` (whole draft, warm) on the same questions")
    parser.add_argument("--processes", type=int, default=1,
                        help="run this many copies at once, each its own process (as web workers and the background "
                             "drafter embed side by side), and print each one's figures")
    args = parser.parse_args()
    if args.processes > 1:
        _side_by_side(args.processes)
        return

    settings = Settings(home=args.home)
    assistant = open_assistant(settings)
    index = assistant.index
    indexed = set(index.manifest.documents(sorted({d for d in _all_gold()})))

    def keep(case) -> bool:
        return (args.split == "all" or case.split == args.split) and bool(set(case.gold) & indexed)

    sets: dict[str, list] = {
        f"retrieval ({args.split})": [c for c in load(DATASETS / "retrieval_dev.jsonl", RetrievalCase) if keep(c)],
        f"conversations ({args.split})": [c for c in load(DATASETS / "conversations_dev.jsonl", ConversationCase) if keep(c)],
    }
    if args.golden:
        sets["golden"] = [c for c in load(DATASETS / "golden.jsonl", DraftCase) if c.answerable and set(c.gold) & indexed]

    records = WholeRecordBM25(index) if "bm25-records" in args.modes else None
    index.search("échauffement", k=10)  # warm

    def last_turn(case) -> str:
        return case.turns[-1] if isinstance(case, ConversationCase) else case.question

    def whole_conversation(case) -> str:
        return " ".join(case.turns) if isinstance(case, ConversationCase) else case.question

    modes: dict[str, Ranker] = {
        "bm25-records": lambda c: records.rank(last_turn(c)),
        "lexical": lambda c: [h.doc_id for h in index.search(last_turn(c), k=10, mode="lexical")],
        "dense": lambda c: [h.doc_id for h in index.search(last_turn(c), k=10, mode="dense")],
        "hybrid": lambda c: [h.doc_id for h in index.search(last_turn(c), k=10)],
        "hybrid-all-turns": lambda c: [h.doc_id for h in index.search(whole_conversation(c), k=10)],
        "pipeline": lambda c: [h.doc_id for h in assistant.retrieve(_turns(c), service=c.service, k=10).hits],
    }
    for name, cases in sets.items():
        print(f"\n== {name}: {len(cases)} questions")
        print(f"{'mode':17} {'subset':22} {'n':>4} {'R@1':>6} {'R@5':>6} {'S@5':>6} {'MRR':>6} {'p95 ms':>7}")
        for mode in args.modes.split(","):
            if mode not in modes:
                continue
            group = (lambda c: getattr(c, "kind", "") or "—") if args.by_kind else source_of
            results, latencies = evaluate(cases, modes[mode], group)
            for subset, f in sorted(results.items(), key=lambda kv: (kv[0] != "all", kv[0])):
                p95 = f"{percentile(latencies, 0.95):7.1f}" if subset == "all" else ""
                print(f"{mode:17} {subset:22} {f['n']:>4} {f['R@1']:6.3f} {f['R@5']:6.3f} {f['S@5']:6.3f} {f['MRR']:6.3f} {p95}")
    if args.ask:
        cases = [c for cases in sets.values() for c in cases]
        latencies = []
        for number, case in enumerate(cases):
            turns = _turns(case)
            started = time.perf_counter()
            assistant.ask(turns[-1], service=case.service, conversation_id=f"bench-{number}", history=turns[:-1])
            latencies.append((time.perf_counter() - started) * 1000)
        print(f"\nask, warm, extractive, {len(cases)} questions and conversations: "
              f"p50 {percentile(latencies, 0.5):.1f} ms · p95 {percentile(latencies, 0.95):.1f} ms")


def _turns(case) -> list[str]:
    return list(case.turns) if isinstance(case, ConversationCase) else [case.question]


def _all_gold() -> set[str]:
    gold: set[str] = set()
    for name, model in (("retrieval_dev.jsonl", RetrievalCase), ("conversations_dev.jsonl", ConversationCase),
                        ("golden.jsonl", DraftCase)):
        for case in load(DATASETS / name, model):
            gold |= set(case.gold)
    return gold


if __name__ == "__main__":
    main()
