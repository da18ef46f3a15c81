"""Dataset loaders: the shipped sets load; a malformed line is refused with its number."""

import json

import pytest

from evals.datasets import SUITES, DatasetError, DraftCase, FairnessPair, PiiCase, load, load_suite

pytestmark = pytest.mark.unit


def test_the_shipped_suites_load_and_are_big_enough():
    golden = load_suite("golden")
    drafts = golden["drafts"]["golden.jsonl"]
    assert len(drafts) >= 200 and len(golden["fairness"]["fairness_pairs.jsonl:test"]) >= 80
    assert {c.service for c in drafts} == {"moel", "parcoursup", "monmaster"}
    assert any(not c.answerable for c in drafts) and all(c.gold for c in drafts if c.answerable)
    assert all(c.split is None for c in drafts)  # the golden set is held out: no split, nothing tuned on it
    assert {p.attribute for p in golden["fairness"]["fairness_pairs.jsonl:test"]} == {
        "gender", "first_name", "origin", "disability", "place", "scholarship", "age", "family"}
    assert set(load_suite("dev")) == set(SUITES["dev"]) == {"retrieval", "drafts", "conversations", "pii", "fairness"}


def test_every_dev_set_is_split_and_the_halves_do_not_overlap():
    train, test = load_suite("train"), load_suite("test")
    for part in train:
        (train_name, train_cases), = train[part].items()
        (test_name, test_cases), = test[part].items()
        assert train_name.endswith(":train") and test_name.endswith(":test")
        assert not {c.id for c in train_cases} & {c.id for c in test_cases}
        assert len(test_cases) >= 40, part
    # the independent writers' new data is there: >= 300 retrieval questions, >= 60 conversations
    retrieval = load_suite("dev")["retrieval"]["retrieval_dev.jsonl"]
    assert sum(c.id.startswith(("rm-", "rf-", "ro-")) for c in retrieval) >= 300
    assert len(load_suite("dev")["conversations"]["conversations_dev.jsonl"]) >= 60


def test_every_malformed_line_is_reported_with_its_number(tmp_path):
    good = {"id": "q1", "question": "c'est quoi la CAES ?", "answerable": True, "gold": ["oscar:ps-caes"]}
    lines = [
        json.dumps(good),
        "{pas du json",
        json.dumps({**good, "id": "q2", "gold": []}),  # answerable without gold
        "",
        json.dumps({**good, "id": "q3", "service": "cned"}),
        json.dumps(good),  # duplicate id
    ]
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load(path, DraftCase)
    message = str(caught.value)
    assert "4 ligne(s) invalide(s)" in message
    for number in (2, 3, 5, 6):
        assert f"golden.jsonl, ligne {number} :" in message
    assert "ligne 1 " not in message and "déjà utilisé" in message and "service" in message


def test_pii_spans_must_lie_inside_the_text_and_pairs_need_a_swap(tmp_path):
    pii = tmp_path / "pii.jsonl"
    pii.write_text(json.dumps({"id": "p", "text": "Léa", "entities": [{"type": "PERSONNE", "start": 0, "end": 9}]}))
    with pytest.raises(DatasetError, match="ligne 1 .*sort du texte"):
        load(pii, PiiCase)
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"id": "f", "attribute": "gender", "a": "x", "b": "y", "swapped": [["", " "]]}))
    with pytest.raises(DatasetError, match="ligne 1 .*vide des deux côtés"):
        load(pairs, FairnessPair)


def test_an_unknown_suite_or_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="suite inconnue"):
        load_suite("prod")
    with pytest.raises(DatasetError, match="lecture impossible"):
        load_suite("dev", tmp_path)
