"""The gate and the comparison of two runs, on small hand-written results."""

import pytest

from evals.results import compare, gate, load_thresholds, metric

pytestmark = pytest.mark.unit


def results(summary: dict, retrieval=(), drafts=()) -> dict:
    return {"run": {"suite": "dev", "started": "2026-11-25T08:00:00+00:00", "commit": "abc", "index": {"version": 1, "documents": 3}},
            "summary": summary, "retrieval": {"cases": list(retrieval)}, "drafts": {"cases": list(drafts)}}


def test_the_gate_fails_on_floors_ceilings_and_unmeasured_metrics(tmp_path):
    thresholds = tmp_path / "seuils.toml"
    thresholds.write_text('[min]\n"retrieval.recall@5" = 0.8\n"fairness.unchanged" = 0.9\n[max]\n"pii.leaked_share" = 0.05\n')
    limits = load_thresholds(thresholds)
    passing = {"retrieval.recall@5": 0.85, "fairness.unchanged": 0.95, "pii.leaked_share": 0.01}
    assert gate(passing, limits) == {}
    failing = {"retrieval.recall@5": 0.79, "pii.leaked_share": 0.06}
    failures = gate(failing, limits)
    assert set(failures) == {"retrieval.recall@5", "fairness.unchanged", "pii.leaked_share"}
    assert "0.790 < seuil 0.8" in failures["retrieval.recall@5"] and "non mesuré" in failures["fairness.unchanged"]


def test_a_broken_thresholds_file_is_refused(tmp_path):
    bad = tmp_path / "seuils.toml"
    bad.write_text("[minimum]\nx = 1\n")
    with pytest.raises(ValueError, match="sections inconnues"):
        load_thresholds(bad)
    bad.write_text("[min\n")
    with pytest.raises(ValueError, match="seuils illisibles"):
        load_thresholds(bad)


def test_metrics_know_their_direction():
    assert metric("retrieval.mrr@10").higher_is_better
    assert not metric("pii.over_redaction").higher_is_better
    assert not metric("latency.draft.p95").higher_is_better and metric("latency.draft.p95").format(12.34) == "12.3 ms"
    assert metric("pii.leaked_chars.NIR").label.endswith("NIR")


def test_compare_sorts_metrics_and_questions_into_improved_and_regressed():
    before = results({"retrieval.mrr@10": 0.70, "pii.leaked_share": 0.020, "latency.ask.p95": 50.0, "fairness.unchanged": 0.9},
                     retrieval=[{"id": "q1", "question": "a", "mrr@10": 1.0}, {"id": "q2", "question": "b", "mrr@10": 0.0}],
                     drafts=[{"id": "d1", "question": "c", "citation_correct": True, "abstained": False, "answerable": True}])
    after = results({"retrieval.mrr@10": 0.75, "pii.leaked_share": 0.030, "latency.ask.p95": 52.0, "drafts.groundedness": 0.8},
                    retrieval=[{"id": "q1", "question": "a", "mrr@10": 0.5}, {"id": "q2", "question": "b", "mrr@10": 0.0}],
                    drafts=[{"id": "d1", "question": "c", "citation_correct": None, "abstained": True, "answerable": True}])
    c = compare(before, after)
    verdicts = {m["name"]: m["verdict"] for m in c["metrics"]}
    assert verdicts == {"retrieval.mrr@10": "amélioré", "pii.leaked_share": "régressé", "latency.ask.p95": "stable",
                        "fairness.unchanged": "disparu", "drafts.groundedness": "nouveau"}
    assert [(q["part"], q["id"], q["figure"], q["verdict"]) for q in c["questions"]] == [
        ("drafts", "d1", "abstained", "régressé"), ("retrieval", "q1", "mrr@10", "régressé")]
    assert c["counts"] == {"amélioré": 1, "régressé": 1, "stable": 1}
