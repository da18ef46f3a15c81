import gzip
import shutil

import pytest

from ingest.ideo import count_records, parse_formations, parse_metiers
from ingest.pipeline import DEMO_DIR
from ingest.records import Rejection, SourceUnreadable
from knowledge.types import Document
from tests.conftest import FIXTURES

pytestmark = pytest.mark.unit
DEMO_METIERS = DEMO_DIR / "ideo" / "metiers.xml"
DEMO_FORMATIONS = DEMO_DIR / "ideo" / "formations.xml"


def documents(records):
    return {r.doc_id: r for r in records if isinstance(r, Document)}


def test_fiche_metier_2024_shape_keeps_names_sections_and_clean_text():
    fiches = documents(parse_metiers(DEMO_METIERS))
    assert len(fiches) == 20
    nurse = fiches["ideo-metier:MET.38"]
    assert nurse.title == "infirmier/ère"
    assert {"infirmière", "infirmier"} <= set(nurse.names)
    assert nurse.url == "https://www.onisep.fr/http/redirection/metier/slug/MET.38"
    headings = [s.heading for s in nurse.sections]
    assert headings[0] == "En bref" and "Vie professionnelle et salaire" in headings and "Accès au métier" in headings
    text = "\n".join(s.text for s in nurse.sections)
    assert "<p>" not in text and "<![CDATA[" not in text
    assert "Salaire" in next(s.text for s in nurse.sections if s.heading == "Vie professionnelle et salaire")


def test_short_fiche_has_its_summary_but_no_long_sections():
    pilot = documents(parse_metiers(DEMO_METIERS))["ideo-metier:MET.400"]
    headings = {s.heading for s in pilot.sections}
    assert "En bref" in headings and "Nature du travail" not in headings


def test_newer_shape_flat_format_court_and_id_attribute():
    fiches = documents(parse_metiers(FIXTURES / "ideo" / "metiers_2025_shape.xml"))
    assert set(fiches) == {"ideo-metier:MET.90001", "ideo-metier:MET.90002", "ideo-metier:MET.90003"}
    assert all(any(s.heading == "Résumé" and s.text for s in f.sections) for f in fiches.values())


def test_formation_2024_and_newer_shapes():
    demo = documents(parse_formations(DEMO_FORMATIONS))
    assert len(demo) == 10
    bts = demo["ideo-formation:FOR.2317"]
    assert "BTS MCO" in bts.names
    assert bts.url == "https://www.onisep.fr/http/redirection/formation/slug/FOR.2317"
    newer = documents(parse_formations(FIXTURES / "ideo" / "formations_2025_shape.xml"))
    assert len(newer) == 2
    reperes = next(s.text for f in newer.values() for s in f.sections if s.heading == "Repères")
    assert "Durée : 3 ans" in reperes  # the quotes of the newer export are stripped


def test_broken_records_are_rejected_with_reason_and_quirky_entities_parse():
    records = list(parse_metiers(FIXTURES / "ideo" / "metiers_broken.xml"))
    fiches = documents(records)
    assert set(fiches) == {"ideo-metier:MET.90101", "ideo-metier:MET.90104", "ideo-metier:MET.90105"}
    assert "couvreur" in fiches["ideo-metier:MET.90104"].names  # &#129; (U+0081) dropped, the rest kept
    reasons = sorted(r.reason for r in records if isinstance(r, Rejection))
    assert reasons == ["identifiant manquant", "nom_metier vide"]


def test_gzipped_export_reads_like_the_plain_one(tmp_path):
    target = tmp_path / "metiers.xml.gz"
    with DEMO_METIERS.open("rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert documents(parse_metiers(target)).keys() == documents(parse_metiers(DEMO_METIERS)).keys()
    assert count_records(target, "metier") == 20


def test_truncated_export_gives_a_fatal_rejection_so_nothing_is_deleted(tmp_path):
    text = DEMO_METIERS.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<identifiant>MET.38<")] + "<nom_metier>inachev", encoding="utf-8")
    records = list(parse_metiers(cut))
    assert any(isinstance(r, Rejection) and r.fatal for r in records)
    assert len(documents(records)) >= 1


def test_a_file_that_is_not_an_export_is_unreadable(tmp_path):
    other = tmp_path / "autre.xml"
    other.write_text("<racine><element/></racine>", encoding="utf-8")
    with pytest.raises(SourceUnreadable, match="Aucune fiche"):
        list(parse_metiers(other))
