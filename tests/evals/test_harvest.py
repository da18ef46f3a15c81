"""Harvest: edited and rejected drafts from a real SQLite store become pseudonymised candidate cases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from assistant.types import CharterFlag, Citation, Draft
from evals.harvest import harvest, write_candidates
from web.models import DraftRecord

pytestmark = pytest.mark.integration

GOLDEN_FIELDS = {"id", "question", "service", "audience", "kind", "answerable", "gold", "key_facts"}


@pytest.fixture
def store(tmp_path):
    """A real store on a SQLite file, built as in tests/web/conftest.py (SQLite only here)."""
    from web.db import make_engine, migrate, session_factory
    from web.security import Vault
    from web.store import Store

    url = f"sqlite:///{tmp_path / 'relais.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    yield Store(session_factory(engine), Vault("secret-de-test"))
    engine.dispose()


def payload(question: str, text: str, flags: tuple[str, ...] = ()) -> dict:
    cited = Citation("oscar:ps-rubrique-preferences", "La rubrique préférences", "https://www.parcoursup.gouv.fr", "oscar")
    shown = Citation("onisep:FOR.1234", "BTS MCO", None, "onisep-formations")
    return Draft(
        question=question, text=text, citations=[cited], sources=[cited, shown], confidence=0.71, abstained=False,
        drafter="extractive", model="-", index_version=3, flags=[CharterFlag(code, "…") for code in flags],
    ).to_json()


def ask(store, service: str, question: str, draft: str, flags: tuple[str, ...] = ()) -> tuple[str, int]:
    """A conversation with one user message and its draft: (public id, draft id)."""
    public_id, _ = store.open_conversation(service)
    message = store.append(public_id, "user", question, idempotency_key="q")
    return public_id, store.save_draft(public_id, message.message_id, payload(question, draft, flags))


@pytest.fixture
def decisions(store):
    """A day of counsellors' decisions: edited, rejected with an answer, sent, one from last week, one pending."""
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["parcoursup", "moel"])
    edited_conv, edited = ask(store, "parcoursup", "Bonjour, je suis <PERSONNE_1>, la rubrique préférences est obligatoire ?",
                              "Oui, elle est obligatoire pour confirmer vos vœux.", flags=("gendered-title",))
    final = "Bonjour <PERSONNE_1>, oui : elle est obligatoire pour confirmer vos vœux, quelques lignes suffisent."
    store.append(edited_conv, "counsellor", final, idempotency_key="a", counsellor_id=counsellor.id)
    store.decide_draft(edited_conv, edited, "edited", final, counsellor.id)

    rejected_conv, rejected = ask(store, "moel", "mon fils <PERSONNE_1> n'a pas de lycée, que faire ?",
                                  "Je n'ai pas trouvé de réponse sûre dans la base.")
    store.decide_draft(rejected_conv, rejected, "rejected", None, counsellor.id)
    store.append(rejected_conv, "system", "Un conseiller ou une conseillère a rejoint la conversation.")
    store.append(rejected_conv, "counsellor", "Contactez Mme Camille Durand, 06 12 34 56 78 ou camille.durand@exemple.fr, "
                 "pour <PERSONNE_1>.", idempotency_key="a", counsellor_id=counsellor.id)
    store.append(rejected_conv, "counsellor", "Autre chose ?", idempotency_key="b", counsellor_id=counsellor.id)

    sent_conv, sent = ask(store, "parcoursup", "Quand ouvre Parcoursup ?", "La plateforme ouvre en janvier.")
    store.decide_draft(sent_conv, sent, "sent", "La plateforme ouvre en janvier.", counsellor.id)
    old_conv, old = ask(store, "moel", "Et l'internat ?", "Voir la fiche internat.")
    store.decide_draft(old_conv, old, "edited", "Voir la fiche internat du lycée.", counsellor.id)
    with store.sessions.begin() as session:
        session.get(DraftRecord, old).decided_at = datetime.now(timezone.utc) - timedelta(days=7)
    empty_conv, empty = ask(store, "moel", "   ", "…")
    store.decide_draft(empty_conv, empty, "rejected", None, counsellor.id)
    ask(store, "moel", "Une question pas encore traitée", "Brouillon en attente.")
    return {"edited": edited, "rejected": rejected, "sent": sent, "old": old, "public_ids": [edited_conv, rejected_conv]}


def test_only_edited_and_rejected_drafts_since_the_date_become_candidates(store, decisions, scrubber):
    today = datetime.now(timezone.utc).date()
    cases = harvest(store, today - timedelta(days=1), scrubber)
    assert [c["id"] for c in cases] == [f"h-{decisions['edited']}", f"h-{decisions['rejected']}"]
    edited, rejected = cases
    assert {k: edited[k] for k in GOLDEN_FIELDS} == {
        "id": f"h-{decisions['edited']}", "question": "Bonjour, je suis <PERSONNE_1>, la rubrique préférences est obligatoire ?",
        "service": "parcoursup", "audience": None, "kind": None, "answerable": None, "gold": [], "key_facts": [],
    }
    assert edited["review"]["outcome"] == "edited"
    assert edited["review"]["draft"] == "Oui, elle est obligatoire pour confirmer vos vœux."
    assert edited["review"]["draft_sources"] == ["oscar:ps-rubrique-preferences", "onisep:FOR.1234"]
    assert (edited["review"]["confidence"], edited["review"]["flags"]) == (0.71, ["gendered-title"])
    assert edited["review"]["counsellor_answer"].startswith("Bonjour <PERSONNE_1>, oui : elle est obligatoire")
    assert datetime.fromisoformat(edited["review"]["decided_at"]).date() == today
    assert (rejected["service"], rejected["review"]["outcome"]) == ("moel", "rejected")
    assert rejected["review"]["counsellor_answer"].startswith("Contactez ")  # the counsellor's own answer, not "Autre chose ?"
    assert harvest(store, today + timedelta(days=1), scrubber) == []


def test_personal_data_a_counsellor_typed_is_pseudonymised_and_placeholders_survive(store, decisions, scrubber):
    rejected = harvest(store, datetime.now(timezone.utc) - timedelta(hours=1), scrubber)[1]
    answer = rejected["review"]["counsellor_answer"]
    for personal in ("Camille", "Durand", "06 12 34 56 78", "camille.durand@exemple.fr"):
        assert personal not in answer
    assert answer == "Contactez Mme <PERSONNE_2>, <TELEPHONE_1> ou <EMAIL_1>, pour <PERSONNE_1>."
    assert rejected["question"] == "mon fils <PERSONNE_1> n'a pas de lycée, que faire ?"


def test_the_store_gives_no_staff_or_conversation_identifiers(store, decisions):
    records = store.decided_drafts(datetime.now(timezone.utc) - timedelta(hours=1))
    assert {r["outcome"] for r in records} == {"edited", "rejected"}
    assert set(records[0]) == {"draft_id", "service", "question", "payload", "outcome", "final_text",
                               "next_counsellor_text", "reject_reason", "decided_at"}
    dumped = json.dumps(records, default=str)
    assert "c.dupont" not in dumped and not any(public_id in dumped for public_id in decisions["public_ids"])
    sent = store.decided_drafts(datetime.now(timezone.utc) - timedelta(hours=1), outcomes=("sent",))
    assert [r["draft_id"] for r in sent] == [decisions["sent"]]


def test_candidates_are_written_as_json_lines_with_the_golden_fields(store, decisions, scrubber, tmp_path):
    path = tmp_path / "candidates" / "harvest.jsonl"
    write_candidates(harvest(store, datetime.now(timezone.utc) - timedelta(days=30), scrubber), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and f"h-{decisions['old']}" in lines[0] and "vœux" in lines[1]  # last week first; UTF-8 as is
    for line in lines:
        case = json.loads(line)
        assert GOLDEN_FIELDS <= set(case) and set(case["review"]) == {
            "outcome", "draft", "draft_sources", "chosen_source", "confidence", "flags", "counsellor_answer", "reject_reason",
            "decided_at"}


def test_the_harvest_command_writes_the_candidates_for_review(store, decisions, tmp_path):
    from typer.testing import CliRunner

    from relais.cli import app

    database = store.sessions.kw["bind"].url.render_as_string(hide_password=False)
    env = {"RELAIS_DATABASE_URL": database, "RELAIS_SECRET_KEY": "secret-de-test", "RELAIS_HOME": str(tmp_path)}
    since = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    out = tmp_path / "candidats.jsonl"
    result = CliRunner().invoke(app, ["eval", "harvest", "--since", since, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "2 cas candidats" in result.stdout and "1 brouillons modifiés, 1 rejetés" in result.stdout
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        f"h-{decisions['edited']}", f"h-{decisions['rejected']}"]
    bad = CliRunner().invoke(app, ["eval", "harvest", "--since", "25/11/2026"], env=env)
    assert bad.exit_code == 2 and "date invalide" in bad.output
