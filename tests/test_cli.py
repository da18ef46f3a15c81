"""The `relais` command as an operator uses it, on the demo base (ingested once per session)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from relais.cli import app
from tests.conftest import snippet, write_jsonl

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-home")
    result = runner.invoke(app, ["ingest", "--demo", "--json"], env={"RELAIS_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return home, json.loads(result.stdout)


def relais(home, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), env={"RELAIS_HOME": str(home)}, input=stdin)


def test_demo_ingest_summary(demo_home):
    _, summary = demo_home
    assert summary["added"] >= 150 + 20 + 10
    assert summary["rejected"] == [] and summary["errors"] == []
    assert summary["ignored"] >= 4  # draft and archived snippets are not indexed
    assert summary["index_version"] == 1


def test_search_json_gives_ranked_documents_with_passage(demo_home):
    home, _ = demo_home
    result = relais(home, "search", "comment devenir infirmière", "--k", "5", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 5
    assert set(hits[0]) >= {"doc_id", "source", "title", "score", "url", "passage"}
    assert "ideo-metier:MET.38" in [h["doc_id"] for h in hits[:3]]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_filters_by_source_and_service(demo_home):
    home, _ = demo_home
    hits = json.loads(relais(home, "search", "bourse", "--source", "oscar", "--service", "monmaster", "--json").stdout)
    assert hits and all(h["source"] == "oscar" for h in hits)
    bad = relais(home, "search", "bourse", "--service", "cned")
    assert bad.exit_code == 2 and "service inconnu" in bad.output


def test_batch_search_reads_one_query_per_line(demo_home):
    home, _ = demo_home
    result = relais(home, "search", "--k", "3", stdin="boulangère\n\nje suis en terminale et je veux faire un BTS\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["boulangère", "je suis en terminale et je veux faire un BTS"]
    assert lines[0]["results"][0]["doc_id"] == "ideo-metier:MET.17"


def test_human_output_is_french(demo_home):
    home, _ = demo_home
    result = relais(home, "search", "vétérinaire", "--k", "2")
    assert result.exit_code == 0 and "vétérinaire" in result.stdout.lower()
    summary = relais(home, "ingest", "--demo")
    assert "Bilan de l'ingestion" in summary.stdout and "inchangés" in summary.stdout


def test_ingest_reports_rejections_and_needs_a_source(tmp_path):
    export = write_jsonl(tmp_path / "oscar.jsonl", [snippet(id="ok"), snippet(id="ko", valid_from="hier")])
    result = relais(tmp_path / "home", "ingest", "--oscar", str(export), "--json")
    summary = json.loads(result.stdout)
    assert summary["added"] == 1
    assert summary["rejected"] == [
        {"source": "oscar", "where": "oscar.jsonl:2", "reason": "date invalide pour valid_from : « hier » (format attendu AAAA-MM-JJ)"}
    ]
    empty = relais(tmp_path / "home", "ingest")
    assert empty.exit_code == 2 and "aucune source" in empty.output


def test_missing_export_fails_with_a_french_message(tmp_path):
    result = relais(tmp_path / "home", "ingest", "--ideo-metiers", str(tmp_path / "absent.xml"))
    assert result.exit_code == 1
    assert "illisible" in result.stdout
