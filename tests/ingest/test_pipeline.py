"""The ingest run on a real index (local Chroma + SQLite manifest + BM25)."""

import pytest

from ingest.pipeline import SourceSpec, run_ingest
from knowledge.filters import SearchFilters
from tests.conftest import FIXTURES, snippet, write_jsonl

pytestmark = pytest.mark.unit

BASE = [
    snippet(id="ps-bourse", title="Demander une bourse sur critères sociaux",
            body="La bourse se demande avec le dossier social étudiant (DSE) sur messervices.etudiant.gouv.fr.",
            services=["parcoursup", "monmaster"], audience=["etudiant", "parent"]),
    snippet(id="ps-voeux", title="Nombre de vœux sur Parcoursup",
            body="Vous pouvez formuler jusqu'à 10 vœux, et 10 vœux supplémentaires en apprentissage."),
    snippet(id="moel-cap", title="Le CAP après la 3e",
            body="Le CAP se prépare en deux ans en lycée professionnel ou en apprentissage.",
            services=["moel"], audience=["eleve", "parent"], valid_until="2025-08-31"),
]


def test_first_run_adds_everything_and_search_finds_it(tmp_path, make_index):
    source = SourceSpec("oscar", write_jsonl(tmp_path / "oscar.jsonl", BASE))
    summary = run_ingest(make_index(), [source])
    assert (summary.added, summary.updated, summary.unchanged, summary.deleted) == (3, 0, 0, 0)
    assert summary.index_version == 1
    hits = make_index().search("comment avoir une bourse pour mes études", k=3)
    assert hits[0].doc_id == "oscar:ps-bourse"
    assert hits[0].url == "https://www.parcoursup.gouv.fr"
    assert "dossier social étudiant" in hits[0].best_passage


def test_second_run_with_nothing_changed_skips_everything_and_keeps_the_version(tmp_path, make_index):
    source = SourceSpec("oscar", write_jsonl(tmp_path / "oscar.jsonl", BASE))
    index = make_index()
    run_ingest(index, [source])
    summary = run_ingest(index, [source])
    assert (summary.added, summary.updated, summary.unchanged, summary.deleted) == (0, 0, 3, 0)
    assert summary.index_version == 1
    assert summary.chunks == 0


def test_changed_snippet_is_replaced_and_vanished_one_deleted(tmp_path, make_index):
    path = tmp_path / "oscar.jsonl"
    index = make_index()
    run_ingest(index, [SourceSpec("oscar", write_jsonl(path, BASE))])
    changed = [dict(BASE[0], body="La bourse se demande désormais via un nouveau formulaire."), BASE[1]]
    summary = run_ingest(index, [SourceSpec("oscar", write_jsonl(path, changed))])
    assert (summary.added, summary.updated, summary.unchanged, summary.deleted) == (0, 1, 1, 1)
    assert summary.index_version == 2
    assert index.manifest.count() == 2
    assert index.store.count() == len(list(index.manifest.all_chunks()))  # old vectors are gone
    hit = index.search("bourse", k=1)[0]
    assert "nouveau formulaire" in hit.best_passage
    assert all(h.doc_id != "oscar:moel-cap" for h in index.search("CAP après la 3e", k=5))


def test_rejected_records_are_reported_and_the_rest_is_indexed(tmp_path, make_index):
    records = BASE + [snippet(id="mauvais", services=["inconnu"]), "pas du json"]
    summary = run_ingest(make_index(), [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", records))])
    assert summary.added == 3
    assert [(r.where, r.reason.split(" ")[0]) for r in summary.rejected] == [("o.jsonl:4", "service"), ("o.jsonl:5", "JSON")]


def test_duplicate_ids_keep_the_first_occurrence(tmp_path, make_index):
    records = [BASE[0], dict(BASE[1], id="ps-bourse")]
    summary = run_ingest(make_index(), [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", records))])
    assert summary.added == 1
    assert "double" in summary.rejected[0].reason


def test_unreadable_source_deletes_nothing(tmp_path, make_index):
    index = make_index()
    run_ingest(index, [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", BASE))])
    summary = run_ingest(index, [SourceSpec("oscar", tmp_path / "absent.jsonl")])
    assert summary.deleted == 0 and index.manifest.count() == 3
    assert "introuvable" in summary.errors[0]


def test_filters_by_service_source_audience_and_validity_date(tmp_path, make_index):
    index = make_index()
    run_ingest(index, [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", BASE))])

    def found(query, **filters):
        return {h.doc_id for h in index.search(query, k=10, filters=SearchFilters(**filters))}

    assert found("bourse vœux CAP", services=("moel",)) == {"oscar:moel-cap"}
    assert found("bourse vœux CAP", services=("monmaster",)) == {"oscar:ps-bourse"}
    assert found("bourse vœux CAP", audience=("etudiant",)) == {"oscar:ps-bourse"}
    assert found("bourse vœux CAP", sources=("ideo-metier",)) == set()
    from datetime import date

    assert "oscar:moel-cap" not in found("CAP après la 3e", valid_on=date(2026, 1, 15))
    assert "oscar:moel-cap" in found("CAP après la 3e", valid_on=date(2025, 1, 15))
    for mode in ("dense", "lexical"):
        hits = index.search("bourse vœux CAP", k=10, filters=SearchFilters(services=("moel",)), mode=mode)
        assert {h.doc_id for h in hits} <= {"oscar:moel-cap"}


def test_a_new_way_of_cutting_documents_reindexes_them_all(tmp_path, make_index, monkeypatch):
    source = SourceSpec("oscar", write_jsonl(tmp_path / "oscar.jsonl", BASE))
    index = make_index()
    run_ingest(index, [source])
    monkeypatch.setattr("ingest.pipeline.CHUNKING_VERSION", 99)
    summary = run_ingest(index, [source])
    assert (summary.added, summary.updated, summary.unchanged) == (0, 3, 0)
    assert index.store.ids() == index.manifest.embedded_chunk_ids()


def test_the_real_export_wins_over_a_demo_fiche_with_the_same_id(tmp_path, make_index):
    demo = tmp_path / "demo.xml"
    real = tmp_path / "real.xml"
    fiche = (FIXTURES / "ideo" / "metiers_2025_shape.xml").read_text(encoding="utf-8")
    demo.write_text(fiche.replace("apiculteur/trice", "apiculteur (démo)"), encoding="utf-8")
    real.write_text(fiche, encoding="utf-8")
    index = make_index()
    # the demo source comes first on the command line; the real export must still win
    summary = run_ingest(index, [SourceSpec("ideo-metier", demo, demo=True), SourceSpec("ideo-metier", real)])
    assert summary.rejected == [] and summary.added >= 2 and summary.shadowed == summary.added  # every demo twin left out
    assert index.manifest.documents(["ideo-metier:MET.90001"])["ideo-metier:MET.90001"].title == "apiculteur/trice"


def test_candidates_carry_what_every_search_step_says_and_respect_filters(tmp_path, make_index):
    index = make_index()
    run_ingest(index, [SourceSpec("oscar", write_jsonl(tmp_path / "oscar.jsonl", BASE))])
    hits = index.candidates("bourse avec le dossier social étudiant")
    assert hits[0].doc_id == "oscar:ps-bourse"
    assert {"dense", "dense_identity", "lexical", "records", "names", "fused", "dense_rank", "records_share"} <= set(hits[0].signals)
    assert hits[0].signals["records_rank"] == 1.0 and hits[0].passages
    moel = index.candidates("bourse", filters=SearchFilters(services=("moel",)))
    assert moel and all("moel" in h.services for h in moel)
