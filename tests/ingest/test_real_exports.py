"""On slices of the real Onisep exports (../shared/data/onisep, as in CI): parse, index, kill, resume."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from ingest.ideo import parse_formations, parse_metiers
from ingest.pipeline import SourceSpec, run_ingest
from ingest.records import Rejection
from tests.conftest import REAL_FORMATIONS, REAL_METIERS, ROOT

pytestmark = pytest.mark.integration


def real_slice(source: Path, tag: str, count: int, target: Path) -> Path:
    """The first `count` records of a real export, written to a temp file (never to the repo)."""
    root_tag = {"metier": "metiers", "formation": "formations"}[tag]
    with gzip.open(source, "rb") as handle:
        records = []
        for _, element in etree.iterparse(handle, events=("end",), tag=tag):
            if element.getparent().getparent() is None:
                records.append(etree.tostring(element, encoding="unicode"))
                if len(records) == count:
                    break
    target.write_text(f'<?xml version="1.0" encoding="UTF-8"?><{root_tag}>' + "".join(records) + f"</{root_tag}>", encoding="utf-8")
    return target


def test_whole_real_exports_parse_without_rejection():
    metiers = list(parse_metiers(REAL_METIERS))
    formations = list(parse_formations(REAL_FORMATIONS))
    assert len(metiers) == 928 and len(formations) == 2164
    assert not [r for r in metiers + formations if isinstance(r, Rejection)]
    short = [d for d in metiers if not any(s.heading == "Nature du travail" for s in d.sections)]
    assert 90 <= len(short) <= 120  # about 12 % of fiches métiers are short (accroche only)


@pytest.mark.slow
def test_a_fiche_is_found_by_any_of_its_names(tmp_path, make_index):
    metiers = real_slice(REAL_METIERS, "metier", 40, tmp_path / "metiers.xml")
    formations = real_slice(REAL_FORMATIONS, "formation", 20, tmp_path / "formations.xml")
    index = make_index()
    summary = run_ingest(index, [SourceSpec("ideo-metier", metiers), SourceSpec("ideo-formation", formations)])
    assert (summary.added, len(summary.rejected)) == (60, 0)
    for query in ("aiguilleur du ciel", "je veux devenir controleuse aerienne", "contrôleur/euse aérien/ne"):
        assert index.search(query, k=3)[0].doc_id == "ideo-metier:MET.1", query


@pytest.mark.slow
def test_the_sections_people_ask_about_have_vectors_of_their_own(tmp_path, make_index):
    metiers = real_slice(REAL_METIERS, "metier", 40, tmp_path / "metiers.xml")
    index = make_index()
    run_ingest(index, [SourceSpec("ideo-metier", metiers)])
    sections = {chunk.section for chunk in index.manifest.chunks(index.manifest.embedded_chunk_ids()).values()}
    assert {"Nature du travail", "Accès au métier", "Vie professionnelle et salaire"} <= sections
    assert "Compétences" not in sections  # found by its words only: the embedding budget goes to what is asked
    # a job named by a synonym: the names step finds it first, and its best passage is close in meaning
    hit = next(h for h in index.candidates("combien gagne un aiguilleur du ciel") if h.doc_id == "ideo-metier:MET.1")
    assert hit.signals["names_rank"] == 1.0 and hit.signals["dense"] > 0.8


@pytest.mark.slow
def test_a_run_killed_midway_leaves_a_consistent_index_and_the_next_run_completes_it(tmp_path, make_index):
    metiers = real_slice(REAL_METIERS, "metier", 150, tmp_path / "metiers.xml")
    home = tmp_path / "home"
    env = {**os.environ, "RELAIS_HOME": str(home)}
    command = [sys.executable, "-m", "relais", "ingest", "--ideo-metiers", str(metiers), "--json"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = home / "index" / "manifest.sqlite"
    deadline = time.monotonic() + 120
    indexed = 0
    while indexed == 0:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.2)
        if manifest.exists():
            try:
                with sqlite3.connect(manifest) as db:
                    indexed = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # tables not created yet
    process.send_signal(signal.SIGKILL)
    process.wait()

    index = make_index(home)
    assert 0 < index.manifest.count() < 150
    hits = index.search("aiguilleur du ciel", k=10)
    listed = index.manifest.documents([h.doc_id for h in hits])
    assert hits and all(h.doc_id in listed and h.passages for h in hits)  # only whole documents are served

    summary = run_ingest(index, [SourceSpec("ideo-metier", metiers)])
    assert summary.added == 150 - summary.unchanged and summary.updated == 0
    assert index.manifest.count() == 150
    assert index.store.ids() == index.manifest.embedded_chunk_ids()  # no orphan vector, none missing
    assert index.search("aiguilleur du ciel", k=1)[0].doc_id == "ideo-metier:MET.1"
