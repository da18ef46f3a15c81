"""One evaluation run: a suite's datasets through search, drafting, scrubbing and fairness pairs.

The run uses the assistant exactly as the console does (same chain, same index, same
settings); stage latencies come from LangChain callbacks on the chain's runnables. The
result is one JSON-ready dict: `summary` (flat metric -> value, what the gate and the
comparison read), the detailed sections, every case, and the worst cases per metric.
"""

from __future__ import annotations

import math
import platform
import subprocess
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from statistics import fmean
from typing import Any, Callable, Iterable, Sequence
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from rich.progress import Progress

from assistant.chain import Assistant
from assistant.types import Draft
from evals.datasets import ConversationCase, DraftCase, FairnessPair, PiiCase, RetrievalCase
from evals.metrics import (
    abstention_scores,
    citation_correct,
    expected_calibration_error,
    reliability,
    facts_found,
    leaked_chars,
    ndcg_at_k,
    percentile,
    pii_leakage,
    recall_at_k,
    reciprocal_rank,
    same_beyond_swaps,
)

CHAIN_STAGES = ("scrub", "retrieve", "draft", "check")
WORST = 10  # worst cases listed per metric
SWEEP = [round(0.30 + 0.02 * i, 2) for i in range(21)]  # abstention thresholds shown in the report


class StageTimer(BaseCallbackHandler):
    """Wall time of each named stage of the chain, from LangChain's chain callbacks."""

    def __init__(self, stages: Iterable[str] = CHAIN_STAGES) -> None:
        self.stages = set(stages)
        self.durations: dict[str, list[float]] = defaultdict(list)
        self._started: dict[UUID, tuple[str, float]] = {}

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        name = kwargs.get("name")
        if name in self.stages:
            self._started[run_id] = (name, time.perf_counter())

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        started = self._started.pop(run_id, None)
        if started:
            self.durations[started[0]].append((time.perf_counter() - started[1]) * 1000)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._started.pop(run_id, None)


def _mean(rows: Sequence[dict], key: str) -> float:
    values = [row[key] for row in rows if row.get(key) is not None]
    return fmean(values) if values else float("nan")


def _grouped(rows: Sequence[dict], by: str, summarise: Callable[[Sequence[dict]], dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row.get(by) or "—"].append(row)
    return {name: summarise(group) for name, group in sorted(groups.items())}


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).parent)
        return done.stdout.strip() or None
    except OSError:
        return None


class Evaluation:
    """Runs one suite's datasets (from `load_suite`) against an assistant; `run()` returns the results dict."""

    def __init__(self, assistant: Assistant, data: dict[str, dict[str, list]], *, suite: str = "golden",
                 progress: Progress | None = None) -> None:
        self.assistant = assistant
        self.index = assistant.index
        self.suite = suite
        self.data = data
        self.progress = progress or Progress(disable=True)
        self.timer = StageTimer()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self._source_text: dict[str, str] = {}
        gold = {doc for part in ("retrieval", "drafts", "conversations") for cases in self.data.get(part, {}).values()
                for case in cases for doc in case.gold}
        self.indexed = set(self.index.manifest.documents(sorted(gold)))

    # -- helpers ------------------------------------------------------------------------
    def _ask(self, question: str, service: str | None, conversation: str, history: Sequence[str] = ()) -> Draft:
        started = time.perf_counter()
        draft = self.assistant.ask(question, service=service, conversation_id=conversation,
                                   config={"callbacks": [self.timer]}, history=history)
        self.latency["ask"].append((time.perf_counter() - started) * 1000)
        return draft

    def _text_of(self, doc_id: str) -> str:
        if doc_id not in self._source_text:
            self._source_text[doc_id] = "\n".join(p.text for p in self.index.passages(doc_id))
        return self._source_text[doc_id]

    def _cases(self, part: str) -> list[tuple[str, Any]]:
        return [(name, case) for name, items in self.data.get(part, {}).items() for case in items]

    def _progress(self, cases: list[tuple[str, Any]], label: str) -> Iterable[tuple[str, Any]]:
        task = self.progress.add_task(label, total=len(cases))
        for item in cases:
            yield item
            self.progress.advance(task)

    # -- parts --------------------------------------------------------------------------
    def retrieval(self) -> dict:
        questions: list[tuple[str, RetrievalCase | DraftCase]] = self._cases("retrieval")
        questions += [(name, case) for name, case in self._cases("drafts") if case.answerable]
        rows, skipped = [], []
        for dataset, case in self._progress(questions, "Recherche"):
            if not case.gold & self.indexed:
                skipped.append(case.id)
                continue
            started = time.perf_counter()
            hits = self.assistant.retrieve([case.question], case.service, k=10).hits  # as the console searches
            self.latency["search"].append((time.perf_counter() - started) * 1000)
            ranked = [hit.doc_id for hit in hits]
            gold = set(case.gold & self.indexed)
            rank = next((i for i, doc in enumerate(ranked, start=1) if doc in gold), None)
            rows.append({
                "dataset": dataset, "id": case.id, "question": case.question, "kind": case.kind, "service": case.service,
                "gold": sorted(gold), "ranked": [f"{hit.doc_id} — {hit.title}" for hit in hits[:5]], "rank": rank,
                "recall@1": recall_at_k(ranked, gold, 1), "recall@5": recall_at_k(ranked, gold, 5),
                "recall@10": recall_at_k(ranked, gold, 10), "mrr@10": reciprocal_rank(ranked, gold, 10),
                "ndcg@10": ndcg_at_k(ranked, gold, 10),
            })

        def summarise(group: Sequence[dict]) -> dict:
            return {"n": len(group), **{m: _mean(group, m) for m in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")}}

        return {
            "overall": summarise(rows), "by_dataset": _grouped(rows, "dataset", summarise),
            "by_kind": _grouped(rows, "kind", summarise), "by_service": _grouped(rows, "service", summarise),
            "skipped": skipped, "cases": rows,
        }

    def drafts(self) -> dict:
        rows, skipped = [], []
        for dataset, case in self._progress(self._cases("drafts"), "Brouillons"):
            case: DraftCase
            if case.answerable and not case.gold & self.indexed:
                skipped.append(case.id)  # its answer is not in this index: neither answerable nor not
                continue
            draft = self._ask(case.question, case.service, f"eval-{case.id}")
            ms = self.latency["ask"][-1]
            cited = [c.doc_id for c in draft.citations]
            answered = case.answerable and not draft.abstained
            sources_text = "\n".join(self._text_of(doc) for doc in cited)
            in_sources = facts_found(case.key_facts, sources_text) if answered else []
            in_draft = facts_found(case.key_facts, draft.text) if answered else []
            first_source = draft.sources[0].doc_id if draft.sources else None
            rows.append({
                "dataset": dataset, "id": case.id, "question": case.question, "service": case.service, "kind": case.kind,
                "audience": case.audience, "answerable": case.answerable, "gold": sorted(case.gold),
                "abstained": draft.abstained, "confidence": round(draft.confidence, 3),
                "confidence_words": draft.confidence_words, "cited": cited,
                "first_source_right": bool(case.answerable and first_source in case.gold),
                "sources": [c.doc_id for c in draft.sources], "text": draft.text,
                "flags": [f.code for f in draft.flags], "key_facts": list(case.key_facts), "ms": round(ms, 1),
                "citation_correct": citation_correct(cited, set(case.gold)) if answered else None,
                "groundedness": len(in_sources) / len(case.key_facts) if answered and case.key_facts else None,
                "fact_coverage": len(in_draft) / len(case.key_facts) if answered and case.key_facts else None,
                "facts_missing_from_sources": [f for f in case.key_facts if f not in in_sources] if answered else [],
            })

        def summarise(group: Sequence[dict]) -> dict:
            precision, recall = abstention_scores([(r["abstained"], r["answerable"]) for r in group])
            return {"n": len(group), "citation_correct": _mean(group, "citation_correct"),
                    "groundedness": _mean(group, "groundedness"), "fact_coverage": _mean(group, "fact_coverage"),
                    "abstention_precision": precision, "abstention_recall": recall,
                    "answered": sum(not r["abstained"] for r in group) / len(group) if group else float("nan")}

        flags: dict[str, int] = defaultdict(int)
        for row in rows:
            for code in row["flags"]:
                flags[code] += 1
        # Calibration: is a confidence of 0.8 right 8 times in 10? (right: the first source answers)
        probabilities = [r["confidence"] for r in rows]
        outcomes = [int(r["first_source_right"]) for r in rows]
        calibration = {"ece": expected_calibration_error(probabilities, outcomes), "bins": reliability(probabilities, outcomes)}
        # What other abstention thresholds would have done: a draft abstains when its confidence is below.
        sweep = []
        for threshold in SWEEP:
            precision, recall = abstention_scores([(r["confidence"] < threshold, r["answerable"]) for r in rows])
            sweep.append({"threshold": threshold, "precision": precision, "recall": recall})
        return {"overall": summarise(rows), "by_kind": _grouped(rows, "kind", summarise),
                "by_service": _grouped(rows, "service", summarise), "flags": dict(flags), "threshold_sweep": sweep,
                "calibration": calibration, "skipped": skipped, "cases": rows}

    def conversations(self) -> dict:
        """Drafts for the last turn of each conversation, read with the turns before it."""
        rows, skipped = [], []
        for dataset, case in self._progress(self._cases("conversations"), "Conversations"):
            case: ConversationCase
            gold = set(case.gold & self.indexed)
            if not gold:
                skipped.append(case.id)
                continue
            draft = self._ask(case.turns[-1], case.service, f"eval-{case.id}", history=case.turns[:-1])
            sources = [c.doc_id for c in draft.sources]
            rank = next((i for i, doc in enumerate(sources, start=1) if doc in gold), None)
            rows.append({
                "dataset": dataset, "id": case.id, "turns": list(case.turns), "kind": case.kind, "service": case.service,
                "gold": sorted(gold), "need": draft.understood.get("need"), "followup": draft.understood.get("followup"),
                "cited": [c.doc_id for c in draft.citations], "sources": sources, "rank": rank,
                "abstained": draft.abstained, "cited_gold": bool(gold & {c.doc_id for c in draft.citations}),
                "success@5": rank is not None and rank <= 5,
            })

        def summarise(group: Sequence[dict]) -> dict:
            return {"n": len(group), "cited_gold": _mean(group, "cited_gold"), "success@5": _mean(group, "success@5"),
                    "followup": _mean(group, "followup")}

        return {"overall": summarise(rows), "by_kind": _grouped(rows, "kind", summarise), "skipped": skipped, "cases": rows}

    def pii(self) -> dict:
        rows, pairs = [], []
        scrubber = self.assistant.scrubber
        for dataset, case in self._progress(self._cases("pii"), "Données personnelles"):
            case: PiiCase
            started = time.perf_counter()
            predicted = [(e.type, e.start, e.end) for e in scrubber.find(case.text)]
            self.latency["pii"].append((time.perf_counter() - started) * 1000)
            gold = [(e.type, e.start, e.end) for e in case.entities]
            pairs.append((gold, predicted))
            covered = {i for _, s, e in predicted for i in range(s, e)}
            leaks = leaked_chars(gold, predicted)
            rows.append({
                "dataset": dataset, "id": case.id, "text": case.text, "kind": case.kind,
                "leaked_chars": sum(leaks.values()), "leaked_by_type": {k: v for k, v in leaks.items() if v},
                "leaked": ["".join(c for i, c in enumerate(case.text[s:e], start=s) if i not in covered)
                           for t, s, e in gold if leaks.get(t)],
                "over_redacted": [f"{t} « {case.text[s:e]} »" for t, s, e in predicted] if not gold else [],
            })
        return {**pii_leakage(pairs), "cases": rows}

    def fairness(self) -> dict:
        """Each pair drafted twice. Treated alike: the same abstention decision, the same first
        source, and drafts identical beyond the swapped words — a complement for side a's
        situation aside (it is allowed, and for `complement` pairs expected)."""
        rows = []
        for dataset, pair in self._progress(self._cases("fairness"), "Équité (paires)"):
            pair: FairnessPair
            draft_a = self._ask(pair.a, pair.service, f"eval-{pair.id}-a")
            draft_b = self._ask(pair.b, pair.service, f"eval-{pair.id}-b")
            first_a = draft_a.sources[0].doc_id if draft_a.sources else None
            first_b = draft_b.sources[0].doc_id if draft_b.sources else None
            same_decision = draft_a.abstained == draft_b.abstained
            same_source = first_a == first_b
            same_text = same_beyond_swaps(draft_a.main_text or draft_a.text, draft_b.main_text or draft_b.text, pair.swapped)
            complement_a = draft_a.complement.doc_id if draft_a.complement else None
            rows.append({
                "dataset": dataset, "id": pair.id, "attribute": pair.attribute, "expect": pair.expect, "a": pair.a, "b": pair.b,
                "first_a": first_a, "first_b": first_b, "abstained_a": draft_a.abstained, "abstained_b": draft_b.abstained,
                "same_decision": same_decision, "same_source": same_source, "same_text": same_text,
                "unchanged": same_decision and same_source and same_text,
                "complement_a": complement_a, "complement_b": draft_b.complement.doc_id if draft_b.complement else None,
                "complement_expected": sorted(pair.complement),
                "complement_found": (complement_a in pair.complement) if pair.expect == "complement" else None,
                "draft_a": draft_a.text if not same_text else None, "draft_b": draft_b.text if not same_text else None,
            })

        def summarise(group: Sequence[dict]) -> dict:
            return {"n": len(group), "unchanged": _mean(group, "unchanged"), "same_decision": _mean(group, "same_decision"),
                    "same_source": _mean(group, "same_source"), "same_text": _mean(group, "same_text"),
                    "complement_found": _mean(group, "complement_found")}

        return {"overall": summarise(rows), "by_attribute": _grouped(rows, "attribute", summarise), "cases": rows}

    # -- the whole run ------------------------------------------------------------------
    def run(self) -> dict:
        started_at = datetime.now(timezone.utc)
        started = time.perf_counter()
        sections = {"retrieval": self.retrieval(), "drafts": self.drafts(), "conversations": self.conversations(),
                    "pii": self.pii(), "fairness": self.fairness()}
        for stage, values in self.timer.durations.items():
            self.latency[stage] = values
        latency = {stage: {"n": len(v), "p50": percentile(v, 0.5), "p95": percentile(v, 0.95)}
                   for stage, v in self.latency.items()}
        results = {
            "run": {
                "suite": self.suite, "started": started_at.isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - started, 1), "commit": _git_commit(),
                "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
                "index": {"version": self.index.version, "documents": self.index.manifest.count(),
                          "embeddings": self.index.embedder.name},
                "drafter": self.assistant.drafter.name, "abstain_below": self.assistant.abstain_below,
                "datasets": {part: {name: len(cases) for name, cases in files.items()} for part, files in self.data.items()},
            },
            **sections,
            "latency": latency,
        }
        results["summary"] = summary(results)
        results["worst"] = worst_cases(results)
        return results


def summary(results: dict) -> dict[str, float]:
    """The flat metric -> value table the report's top, the gate and the comparison read."""
    flat: dict[str, float] = {}
    for metric, value in results["retrieval"]["overall"].items():
        if metric != "n":
            flat[f"retrieval.{metric}"] = value
    drafts = results["drafts"]["overall"]
    for metric in ("citation_correct", "groundedness", "fact_coverage", "abstention_precision", "abstention_recall"):
        flat[f"drafts.{metric}"] = drafts[metric]
    flat["drafts.calibration_error"] = results["drafts"]["calibration"]["ece"]
    if results.get("conversations", {}).get("overall", {}).get("n"):
        for metric in ("cited_gold", "success@5"):
            flat[f"conversations.{metric}"] = results["conversations"]["overall"][metric]
    pii = results["pii"]
    flat["pii.leaked_share"] = pii["leaked_share"]
    flat["pii.over_redaction"] = pii["over_redaction"]
    for kind, row in pii["types"].items():
        if row["chars"]:
            flat[f"pii.leaked_chars.{kind}"] = row["leaked_chars"]
    flat["fairness.unchanged"] = results["fairness"]["overall"]["unchanged"]
    for attribute, row in results["fairness"]["by_attribute"].items():
        flat[f"fairness.unchanged.{attribute}"] = row["unchanged"]
    if not math.isnan(results["fairness"]["overall"]["complement_found"]):
        flat["fairness.complement_found"] = results["fairness"]["overall"]["complement_found"]
    for stage, row in results["latency"].items():
        flat[f"latency.{stage}.p95"] = row["p95"]
    return flat


def worst_cases(results: dict) -> dict[str, list[dict]]:
    """Per metric, the cases that did worst: question, expected, actual."""
    retrieval = sorted((r for r in results["retrieval"]["cases"] if r["rank"] != 1),
                       key=lambda r: (r["rank"] is not None, -(r["rank"] or 0)))  # not found first, then lowest
    drafts = results["drafts"]["cases"]
    answered = [r for r in drafts if r["citation_correct"] is not None]
    return {
        "retrieval": [{"id": r["id"], "question": r["question"], "expected": r["gold"],
                       "actual": r["ranked"], "detail": f"rang {r['rank']}" if r["rank"] else "absent des 10 premiers"}
                      for r in retrieval[:WORST]],
        "citation_correct": [{"id": r["id"], "question": r["question"], "expected": r["gold"], "actual": r["cited"],
                              "detail": f"confiance {r['confidence']}"}
                             for r in answered if not r["citation_correct"]][:WORST],
        "groundedness": [{"id": r["id"], "question": r["question"], "expected": r["key_facts"], "actual": r["cited"],
                          "detail": "absents des sources citées : " + " ; ".join(r["facts_missing_from_sources"])}
                         for r in sorted((r for r in answered if r["groundedness"] is not None and r["groundedness"] < 1),
                                         key=lambda r: r["groundedness"])][:WORST],
        "abstention": [{"id": r["id"], "question": r["question"],
                        "expected": "répondre" if r["answerable"] else "s'abstenir",
                        "actual": "abstention" if r["abstained"] else f"réponse citant {', '.join(r['cited'])}",
                        "detail": f"confiance {r['confidence']}"}
                       for r in sorted((r for r in drafts if r["abstained"] == r["answerable"]),
                                       key=lambda r: -abs(r["confidence"] - results["run"]["abstain_below"]))][:WORST],
        "pii": [{"id": r["id"], "question": r["text"], "expected": sorted(r["leaked_by_type"]), "actual": r["leaked"],
                 "detail": f"{r['leaked_chars']} caractères non masqués"}
                for r in sorted((r for r in results["pii"]["cases"] if r["leaked_chars"]), key=lambda r: -r["leaked_chars"])][:WORST],
        "over_redaction": [{"id": r["id"], "question": r["text"], "expected": "rien à masquer", "actual": r["over_redacted"],
                            "detail": ""} for r in results["pii"]["cases"] if r["over_redacted"]][:WORST],
        "fairness": [{"id": r["id"], "question": f"A : {r['a']}\nB : {r['b']}", "expected": r["first_a"], "actual": r["first_b"],
                      "detail": "; ".join(reason for reason, bad in (
                          ("abstention d'un seul côté", not r["same_decision"]),
                          (f"première source {r['first_a']} → {r['first_b']}", not r["same_source"]),
                          ("brouillons différents", not r["same_text"])) if bad)}
                     for r in results["fairness"]["cases"] if not r["unchanged"]],
        "latency": [{"id": r["id"], "question": r["question"], "expected": "", "actual": f"{r['ms']} ms",
                     "detail": "abstention" if r["abstained"] else f"cite {', '.join(r['cited'])}"}
                    for r in sorted(drafts, key=lambda r: -r["ms"])][:WORST],
    }
