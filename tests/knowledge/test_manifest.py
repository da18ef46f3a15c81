"""The manifest's schema version: an older index is upgraded in place, a newer one refused."""

from __future__ import annotations

import sqlite3

import pytest

from knowledge.errors import IndexMismatch
from knowledge.manifest import SCHEMA_VERSION, Manifest

pytestmark = pytest.mark.unit

# The layout before schema versions were recorded (Relais 0.1, November 2026).
VERSION_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, hash TEXT NOT NULL, title TEXT NOT NULL, url TEXT,
    services TEXT NOT NULL, audience TEXT NOT NULL, links TEXT NOT NULL, names TEXT NOT NULL DEFAULT '[]',
    valid_from TEXT, valid_until TEXT, ingested_at TEXT NOT NULL);
CREATE TABLE chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL);
INSERT INTO meta VALUES ('version', '3');
INSERT INTO documents VALUES ('oscar:ps-voeux', 'oscar', 'h1', 'Vœux', NULL, '["parcoursup"]', '["eleve"]', '[]', '[]', NULL, NULL, 'x');
INSERT INTO documents VALUES ('ideo-metier:MET.38', 'ideo-metier', 'h2', 'infirmier/ère', NULL, '[]', '[]', '[]', '[]', NULL, NULL, 'x');
INSERT INTO chunks VALUES ('oscar:ps-voeux#h1#0', 'oscar:ps-voeux', 0, '', 'Vœux');
INSERT INTO chunks VALUES ('oscar:ps-voeux#h1#1', 'oscar:ps-voeux', 1, '', 'suite');
INSERT INTO chunks VALUES ('ideo-metier:MET.38#h2#0', 'ideo-metier:MET.38', 0, 'En bref', 'infirmier');
INSERT INTO chunks VALUES ('ideo-metier:MET.38#h2#1', 'ideo-metier:MET.38', 1, 'Compétences', 'soins');
"""


def test_a_version_1_manifest_is_upgraded_in_place(tmp_path):
    path = tmp_path / "manifest.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1)
    manifest = Manifest(path)
    assert manifest.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert manifest.version == 3 and manifest.count() == 2  # nothing lost
    # what version 1 embedded: every chunk of a snippet, the first chunk of a fiche
    assert manifest.embedded_chunk_ids() == {"oscar:ps-voeux#h1#0", "oscar:ps-voeux#h1#1", "ideo-metier:MET.38#h2#0"}
    manifest.close()
    assert Manifest(path).get_meta("schema_version") == str(SCHEMA_VERSION)  # idempotent


def test_a_manifest_from_a_newer_relais_is_refused_with_a_french_hint(tmp_path):
    path = tmp_path / "manifest.sqlite"
    Manifest(path).set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(IndexMismatch, match="version plus récente de Relais"):
        Manifest(path)
