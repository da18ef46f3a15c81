import pytest

from ingest.oscar import parse_oscar
from ingest.records import Ignored, Rejection, SourceUnreadable
from knowledge.types import Document
from tests.conftest import snippet, write_jsonl

pytestmark = pytest.mark.unit


def test_a_valid_snippet_becomes_a_document_with_its_source_in_the_id(tmp_path):
    path = write_jsonl(tmp_path / "oscar.jsonl", [snippet(id="ps-voeux", title="Les vœux", valid_until="2027-06-30")])
    [document] = list(parse_oscar(path))
    assert isinstance(document, Document)
    assert document.doc_id == "oscar:ps-voeux"
    assert document.services == ("parcoursup",)
    assert document.url == "https://www.parcoursup.gouv.fr"
    assert str(document.valid_until) == "2027-06-30"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (snippet(id=None), "id"),
        ({k: v for k, v in snippet().items() if k != "title"}, "champ obligatoire manquant : title"),
        (snippet(services=["parcoursup", "cned"]), "service inconnu « cned »"),
        (snippet(services=[]), "au moins un service"),
        (snippet(valid_until="2025-13-01"), "date invalide pour valid_until"),
        (snippet(valid_from="2026-09-01", valid_until="2026-01-01"), "antérieure"),
        (snippet(status="brouillon"), "statut inconnu"),
        (snippet(audience=["eleves"]), "public inconnu"),
    ],
)
def test_a_broken_record_is_rejected_with_its_line_and_reason_and_the_others_go_in(tmp_path, record, reason):
    path = write_jsonl(tmp_path / "oscar.jsonl", [snippet(id="ok-1"), record, snippet(id="ok-2")])
    records = list(parse_oscar(path))
    assert [r.doc_id for r in records if isinstance(r, Document)] == ["oscar:ok-1", "oscar:ok-2"]
    [rejection] = [r for r in records if isinstance(r, Rejection)]
    assert rejection.where == "oscar.jsonl:2"
    assert reason in rejection.reason


def test_invalid_json_line_is_rejected_with_its_line_number(tmp_path):
    path = write_jsonl(tmp_path / "oscar.jsonl", [snippet(id="ok-1"), '{"id": "cassé", ', "", snippet(id="ok-2")])
    records = list(parse_oscar(path))
    [rejection] = [r for r in records if isinstance(r, Rejection)]
    assert rejection.where == "oscar.jsonl:2" and "JSON invalide" in rejection.reason
    assert len([r for r in records if isinstance(r, Document)]) == 2


def test_only_published_snippets_are_indexed(tmp_path):
    path = write_jsonl(tmp_path / "o.jsonl", [snippet(id="a"), snippet(id="b", status="draft"), snippet(id="c", status="archived")])
    records = list(parse_oscar(path))
    assert [r.doc_id for r in records if isinstance(r, Document)] == ["oscar:a"]
    assert sorted(r.reason for r in records if isinstance(r, Ignored)) == ["statut archived", "statut draft"]


MARKDOWN = """---
id: moel-stage-3e
title: Trouver un stage d'observation en 3e
services: [moel]
audience: [eleve, parent]
tags: [college, stage]
links:
  - title: Onisep
    url: https://www.onisep.fr
updated_at: 2026-10-15
status: published
---
Le stage d'observation dure **une semaine**.

- Demandez à votre entourage.
"""


def test_markdown_files_with_front_matter_are_read_from_a_folder(tmp_path):
    folder = tmp_path / "oscar"
    (folder / "md").mkdir(parents=True)
    (folder / "md" / "moel-stage-3e.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "md" / "sans-entete.md").write_text("Pas d'en-tête ici.", encoding="utf-8")
    write_jsonl(folder / "base.jsonl", [snippet(id="ps-a")])
    records = list(parse_oscar(folder))
    documents = {r.doc_id: r for r in records if isinstance(r, Document)}
    assert set(documents) == {"oscar:ps-a", "oscar:moel-stage-3e"}
    assert documents["oscar:moel-stage-3e"].sections[0].text.startswith("Le stage d'observation dure **une semaine**.")
    [rejection] = [r for r in records if isinstance(r, Rejection)]
    assert rejection.where == "sans-entete.md" and "front matter" in rejection.reason


def test_missing_source_is_unreadable(tmp_path):
    with pytest.raises(SourceUnreadable, match="introuvable"):
        list(parse_oscar(tmp_path / "absent.jsonl"))
