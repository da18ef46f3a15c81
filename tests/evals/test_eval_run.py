"""`relais eval run / compare` as the quality team uses them, on the demo base.

The `test` suite (the held-out halves of the dev sets) through the gate is what CI checks on
every change (this module runs it).
"""

from __future__ import annotations

import json
import math
import re
import shutil

import pytest
from typer.testing import CliRunner

from evals.datasets import DATASETS, SUITES, FairnessPair, load
from relais.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()


def relais(home, *args: str):
    return runner.invoke(app, list(args), env={"RELAIS_HOME": str(home), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})


@pytest.fixture(scope="module")
def dev_run(demo_home, tmp_path_factory):
    """The CI gate: the test suite on the demo base, with the shipped thresholds."""
    out = tmp_path_factory.mktemp("runs") / "test"
    result = relais(demo_home[0], "eval", "run", "--suite", "test", "--out", str(out), "--gate")
    assert result.exit_code == 0, result.output  # a regression past evals/thresholds.toml fails CI here
    return out, json.loads((out / "results.json").read_text(encoding="utf-8")), result


@pytest.fixture(scope="module")
def golden_run(demo_home, tmp_path_factory):
    """The held-out golden set through the gate, on the demo base (CI checks it too)."""
    out = tmp_path_factory.mktemp("runs") / "golden"
    result = relais(demo_home[0], "eval", "run", "--suite", "golden", "--out", str(out), "--gate")
    assert result.exit_code == 0, result.output
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_the_golden_set_passes_its_gate_with_calibration_and_fairness_per_attribute(golden_run):
    summary = golden_run["summary"]
    assert 0.0 <= summary["drafts.calibration_error"] < 0.2
    assert {f"fairness.unchanged.{a}" for a in ("gender", "disability", "place", "origin")} <= set(summary)
    bins = golden_run["drafts"]["calibration"]["bins"]
    assert bins and sum(b["n"] for b in bins) == len(golden_run["drafts"]["cases"])
    kinds = golden_run["drafts"]["by_kind"]
    assert math.isnan(kinds["procedure"]["abstention_precision"])  # shown « — »: the kind has no unanswerable question


@pytest.fixture(scope="module")
def small_datasets(tmp_path_factory):
    """A few cases of each shipped dataset, under the same file names."""
    directory = tmp_path_factory.mktemp("datasets")
    for file_name in {file_name for part in SUITES["dev"].values() for file_name, _ in part}:
        lines = (DATASETS / file_name).read_text(encoding="utf-8").splitlines()
        (directory / file_name).write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    return directory


def test_a_run_measures_every_part_of_the_assistant(dev_run):
    _, results, output = dev_run
    summary = results["summary"]
    for name in ("retrieval.recall@1", "retrieval.recall@5", "retrieval.recall@10", "retrieval.mrr@10", "retrieval.ndcg@10",
                 "drafts.citation_correct", "drafts.groundedness", "drafts.abstention_precision", "drafts.abstention_recall",
                 "pii.leaked_share", "pii.over_redaction", "pii.leaked_chars.NIR", "fairness.unchanged",
                 "latency.scrub.p95", "latency.retrieve.p95", "latency.draft.p95", "latency.check.p95", "latency.search.p95"):
        assert name in summary, name
    assert 0.5 < summary["retrieval.recall@5"] <= 1 and summary["pii.leaked_chars.NIR"] >= 0
    retrieval = results["retrieval"]
    assert retrieval["skipped"]  # Idéo questions whose fiche is not in the demo base are set aside, not failed
    assert set(retrieval["by_service"]) == {"moel", "parcoursup", "monmaster"} and retrieval["by_kind"]
    fairness = load(DATASETS / "fairness_pairs.jsonl", FairnessPair)
    assert len(results["fairness"]["cases"]) == sum(p.split == "test" for p in fairness) >= 80  # the test half only
    assert set(results["fairness"]["by_attribute"]) == {"gender", "first_name", "origin", "disability", "place",
                                                         "scholarship", "age", "family"}
    # the test half only, all by independent writers (never the team's `pii-0…` lines)
    assert len(results["pii"]["cases"]) >= 300 and all(c["id"].startswith(("pwa-", "pwb-", "pii-w")) for c in results["pii"]["cases"])
    conversations = results["conversations"]
    assert conversations["cases"] and "conversations.cited_gold" in summary
    drafts = results["drafts"]["cases"]
    assert any(c["abstained"] for c in drafts) and any(c["citation_correct"] for c in drafts)
    assert all(c["citation_correct"] is None for c in drafts if c["abstained"] or not c["answerable"])
    assert {"retrieval", "citation_correct", "groundedness", "abstention", "pii", "fairness"} <= set(results["worst"])
    assert "Recherche : rappel@5" in output.stdout and "report.html" in output.stdout


def test_the_report_is_one_self_contained_french_page(dev_run):
    out, results, _ = dev_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="fr">' in html
    assert html.count("<svg") >= 5  # plots inline
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)  # opens offline
    for heading in ("Synthèse", "Recherche", "Brouillons", "Conversations", "Données personnelles", "Équité contrefactuelle",
                    "Latence", "Pires cas"):
        assert f"<h2>{heading}</h2>" in html
    worst = results["worst"]["retrieval"][0]
    assert worst["id"] in html


def test_the_gate_fails_a_run_past_its_thresholds(demo_home, small_datasets, tmp_path):
    strict = tmp_path / "seuils.toml"
    strict.write_text('[min]\n"retrieval.recall@1" = 1.01\n[max]\n"pii.leaked_share" = 0.5\n', encoding="utf-8")
    out = tmp_path / "run"
    args = ("eval", "run", "--suite", "dev", "--datasets", str(small_datasets), "--out", str(out), "--thresholds", str(strict))
    result = relais(demo_home[0], *args, "--gate")
    assert result.exit_code == 1, result.output
    assert "seuil franchi" in result.output and "retrieval.recall@1" in result.output and "pii.leaked_share" not in result.output
    assert (out / "results.json").exists() and (out / "report.html").exists()  # a failed gate still leaves its report
    assert relais(demo_home[0], *args).exit_code == 0  # without --gate the same run only warns


def test_a_malformed_dataset_stops_the_run_before_anything_loads(demo_home, small_datasets, tmp_path):
    broken = tmp_path / "datasets"
    shutil.copytree(small_datasets, broken)
    with (broken / "answerable_dev.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "x", "question": "sans réponse attendue"}\n')
    result = relais(demo_home[0], "eval", "run", "--suite", "dev", "--datasets", str(broken), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2
    assert "answerable_dev.jsonl, ligne 7" in result.output and "answerable" in result.output
    assert not (tmp_path / "run").exists()


def test_a_run_on_an_empty_index_says_to_ingest_first(tmp_path):
    result = relais(tmp_path / "vide", "eval", "run", "--suite", "dev", "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "relais ingest" in result.output and "vide" in result.output
    assert not (tmp_path / "run").exists()


def test_compare_shows_what_improved_and_regressed(demo_home, dev_run, small_datasets, tmp_path):
    dev_out, _, _ = dev_run
    small = tmp_path / "small"
    assert relais(demo_home[0], "eval", "run", "--suite", "dev", "--datasets", str(small_datasets), "--out", str(small)).exit_code == 0
    result = relais(demo_home[0], "eval", "compare", str(dev_out), str(small / "results.json"))
    assert result.exit_code == 0, result.output
    assert "Par mesure" in result.stdout and "Recherche : MRR@10" in result.stdout
    html = (small / "compare.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Par question" in html
    missing = relais(demo_home[0], "eval", "compare", str(tmp_path / "nulle-part"), str(small))
    assert missing.exit_code == 2 and "résultats illisibles" in missing.output
