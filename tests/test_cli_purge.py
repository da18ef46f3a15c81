"""`relais purge` as an operator uses it on a real SQLite store: retention, and erasure on request
of a conversation (by its id or the reference the widget shows) or of a person's offline requests."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from assistant.pii import PseudonymMap
from relais.cli import app
from relais.components import open_store
from relais.settings import Settings
from web.models import AuditEntry, OfflineRequest
from web.store import NotFound

pytestmark = pytest.mark.integration
KEY = "une-cle-de-test-pour-purge"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env file from the working directory
    for name in ("RELAIS_SECRET_KEY", "RELAIS_OLD_SECRET_KEYS", "RELAIS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def relais(home, *args: str, key: str = KEY):
    return CliRunner().invoke(app, ["purge", *args], env={"RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": key})


def test_a_persons_offline_requests_are_erased_by_their_address_and_the_count_is_said(home):
    store = open_store(Settings(home=home, secret_key=KEY))
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["moel"])
    answered = store.add_offline("moel", "première question", "lea.martin@exemple.fr", PseudonymMap("offline"))
    store.add_offline("parcoursup", "seconde question", "Lea.Martin@Exemple.fr", PseudonymMap("offline"))
    kept = store.add_offline("moel", "une autre personne", "hugo.petit@exemple.fr", PseudonymMap("offline"))
    store.queue_offline_answer(answered, "Voici la réponse.", counsellor.id)

    result = relais(home, "--email", "LEA.MARTIN@exemple.fr")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 demande(s) hors ligne effacée(s) pour cette adresse, avec leurs courriels."
    with store.sessions() as session:
        assert session.scalars(select(OfflineRequest.id)).all() == [kept]
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.detail) == ("erasure", {"offline_requests": 2})
    again = relais(home, "--email", "lea.martin@exemple.fr")
    assert again.stdout.strip() == "0 demande(s) hors ligne effacée(s) pour cette adresse, avec leurs courriels."


def test_requests_no_key_opens_are_named_and_the_exit_code_says_the_erasure_is_not_sure(home):
    open_store(Settings(home=home, secret_key="une-cle-perdue")).add_offline(
        "moel", "question", "lea.martin@exemple.fr", PseudonymMap("offline"))

    result = relais(home, "--email", "lea.martin@exemple.fr")

    assert result.exit_code == 1
    assert "0 demande(s) hors ligne effacée(s)" in result.stdout
    assert "1 demande(s) n'ont pas pu être vérifiées" in result.output and "RELAIS_OLD_SECRET_KEYS" in result.output


def test_an_address_that_is_not_one_is_refused_before_anything_is_read(home):
    result = relais(home, "--email", "lea.martin")
    assert result.exit_code == 2 and "adresse électronique invalide" in result.output


def test_a_conversation_is_erased_by_the_reference_the_widget_shows(home):
    store = open_store(Settings(home=home, secret_key=KEY))
    conversation, _ = store.open_conversation("moel")
    store.append(conversation, "user", "je voudrais effacer ceci", idempotency_key="k")

    result = relais(home, "--conversation", conversation[:8])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 conversation(s) effacée(s)."
    with pytest.raises(NotFound):
        store.messages_since(conversation, 0)


def test_a_reference_that_matches_nothing_is_named_and_fails_the_command(home):
    store = open_store(Settings(home=home, secret_key=KEY))
    conversation, _ = store.open_conversation("moel")
    store.append(conversation, "user", "à effacer", idempotency_key="k")

    result = relais(home, "--conversation", conversation[:8], "--conversation", "0000000000")

    assert result.exit_code == 1  # a typo in an erasure request must not look like success
    assert "1 conversation(s) effacée(s)." in result.stdout
    assert "0000000000" in result.output and "aucune conversation" in result.output
    with pytest.raises(NotFound):
        store.messages_since(conversation, 0)


def test_without_a_request_the_retention_period_is_applied(home):
    open_store(Settings(home=home, secret_key=KEY)).open_conversation("moel")
    result = relais(home)
    assert result.exit_code == 0 and "durée de conservation dépassée" in result.stdout
