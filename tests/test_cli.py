"""The `relais` command as an operator uses it, on the demo base (ingested once per session)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from relais.cli import app
from tests.conftest import snippet, write_jsonl

pytestmark = pytest.mark.slow
runner = CliRunner()


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
    found = json.loads(result.stdout)
    assert found["query"] == "comment devenir infirmière"
    assert found["understood"]["intent"] == "metier" and "infirmière" in found["understood"]["need"]
    hits = found["results"]
    assert len(hits) == 5
    assert set(hits[0]) >= {"doc_id", "source", "title", "score", "url", "passage"}
    assert "ideo-metier:MET.38" in [h["doc_id"] for h in hits[:3]]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_filters_by_source_and_service(demo_home):
    home, _ = demo_home
    hits = json.loads(relais(home, "search", "bourse", "--source", "oscar", "--service", "monmaster", "--json").stdout)["results"]
    assert hits and all(h["source"] == "oscar" for h in hits)
    bad = relais(home, "search", "bourse", "--service", "cned")
    assert bad.exit_code == 2 and "service inconnu" in bad.output


def test_search_says_in_french_how_it_read_the_question(demo_home):
    home, _ = demo_home
    shown = relais(home, "search", "je suis en terminale et boursière, c'est quoi un BTS ?", "--k", "1").stdout
    assert "profil (niveau : terminale, qui écrit : eleve, situations : boursier)" in shown, shown


def test_batch_search_reads_one_query_per_line(demo_home):
    home, _ = demo_home
    result = relais(home, "search", "--k", "3", stdin="boulangère\n\nje suis en terminale et je veux faire un BTS\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["boulangère", "je suis en terminale et je veux faire un BTS"]
    assert lines[0]["results"][0]["doc_id"] == "ideo-metier:MET.17"
    assert lines[1]["understood"]["profile"] == {"level": "terminale", "writer": "eleve"}
    assert "terminale" not in lines[1]["understood"]["need"]  # the writer's level is a fact, not search words


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


def test_scrub_json_never_shows_the_original_values():
    text = "Bonjour je suis Léa Martin, INE 1234567890A, tel 06 12 34 56 78"
    result = runner.invoke(app, ["scrub", "--json"], input=text)
    assert result.exit_code == 0, result.output
    scrubbed = json.loads(result.stdout)
    assert scrubbed["text"] == "Bonjour je suis <PERSONNE_1>, INE <INE_1>, tel <TELEPHONE_1>"
    assert [(e["type"], e["start"], e["end"]) for e in scrubbed["entities"]] == [
        ("PERSONNE", 16, 26), ("INE", 32, 43), ("TELEPHONE", 49, 63)
    ]
    assert "Léa" not in result.stdout and "1234567890A" not in result.stdout


def test_scrub_lines_gives_one_json_line_per_message():
    result = runner.invoke(app, ["scrub", "--lines"], input="mon fils lucas\n\nmail: a.b@free.fr\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["mon fils <PERSONNE_1>", "mail: <EMAIL_1>"]


def test_ask_json_gives_a_cited_draft(demo_home):
    home, _ = demo_home
    result = relais(home, "ask", "jsuis en terminale, je peux encore ajouter un voeu sur parcoursup ?", "--service", "parcoursup", "--json")
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert set(draft) >= {"draft", "citations", "confidence", "abstained", "drafter", "model", "index_version", "charter_flags"}
    assert not draft["abstained"] and draft["citations"][0]["doc_id"].startswith("oscar:ps-")
    assert draft["citations"][0]["url"] and draft["citations"][0]["title"]
    assert draft["drafter"] == "extractive" and draft["index_version"] == 1


def test_ask_batch_reads_one_question_per_line(demo_home):
    home, _ = demo_home
    result = relais(home, "ask", stdin="c'est quoi le BTS MCO ?\nquel temps fera-t-il demain à Brest ?\n")
    drafts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["abstained"] for d in drafts] == [False, True]
    assert drafts[0]["citations"][0]["doc_id"] == "ideo-formation:FOR.2317"
    assert drafts[1]["draft"].startswith("Je n'ai pas trouvé de réponse validée")


def test_ask_conversation_drafts_for_the_last_turn_read_with_the_ones_before(demo_home):
    home, _ = demo_home
    conversations = [
        {"service": "moel", "turns": ["ma fille veut etre infirmiere", "et ca dure combien de temps ?"]},
        "pas du json",
        {"service": "cned", "turns": ["bonjour"]},
        {"turns": ["je veux devenir boulanger", "ok merci", "et le salaire ?"]},
    ]
    stdin = "\n".join(c if isinstance(c, str) else json.dumps(c, ensure_ascii=False) for c in conversations) + "\n"
    result = relais(home, "ask", "--conversation", "--json", stdin=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4  # one line out per line in, errors included
    nursing, broken, unknown, baker = lines
    assert nursing["understood"]["followup"] and "infirmi" in nursing["understood"]["need"]
    assert nursing["understood"]["profile"]["writer"] == "parent"
    assert "ideo-metier:MET.38" in [c["doc_id"] for c in nursing["sources"][:3]]
    assert broken == {"line": 2, "error": "JSON illisible (colonne 1)"}
    assert unknown["line"] == 3 and "service inconnu" in unknown["error"]
    assert baker["understood"]["followup"] and "boulanger" in baker["understood"]["need"]
    assert baker["citations"][0]["doc_id"] == "ideo-metier:MET.17"


def test_ask_conversation_takes_no_question_argument(demo_home):
    home, _ = demo_home
    result = relais(home, "ask", "une question", "--conversation")
    assert result.exit_code == 2 and "entrée standard" in result.output
