"""The hotline lexicon is data: it loads, and every job it names is a real Idéo fiche."""

from __future__ import annotations

import re

import pytest

from assistant.lexicon import Lexicon, words
from ingest.ideo import parse_metiers
from knowledge.types import Document
from tests.conftest import REAL_METIERS

pytestmark = pytest.mark.unit

PROFILE_FACTS = {"level_college", "level_lycee", "level_sup", "writer_parent", "disability", "scholarship", "apprentice",
                 "overseas", "foreign", "adult", "sport_high_level", "track"}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def test_the_lexicon_loads_with_its_four_tables(lexicon):
    assert len(lexicon.informal) >= 80 and len(lexicon.acronyms) >= 150 and len(lexicon.jobs) >= 120
    assert set(lexicon.profile) == PROFILE_FACTS and all(lexicon.profile.values())
    assert lexicon.informal["jsuis"] == "je suis" and lexicon.acronyms["CAES"].startswith("commission d'accès")


def test_entries_are_usable_as_written(lexicon):
    assert all(key == key.lower() for key in lexicon.informal)
    assert all(value.strip() for value in [*lexicon.informal.values(), *lexicon.acronyms.values()])
    shape = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+&'/ -]*")
    assert [a for a in lexicon.acronyms if not shape.fullmatch(a)] == []
    # acronyms that are also everyday words only count in capitals
    assert {"BUT", "CAP", "PASS", "LAS"} <= lexicon.wordlike_acronyms


def test_every_job_it_names_is_a_title_or_a_synonym_of_the_real_export(lexicon):
    known = set()
    for record in parse_metiers(REAL_METIERS):
        if isinstance(record, Document):
            known.update(" ".join(words(name)) for name in (record.title, *record.names))
    unknown = sorted({title for titles in lexicon.jobs.values() for title in titles if " ".join(words(title)) not in known})
    assert unknown == []
