"""No public default secret: without RELAIS_SECRET_KEY a private key is generated and kept; the
key can be changed (RELAIS_OLD_SECRET_KEYS, `relais keys rotate`) without logging anyone out or
losing what was sealed under the old one."""

from __future__ import annotations

import base64
import json
import logging
import stat
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from typer.testing import CliRunner

from assistant.chain import Assistant
from assistant.drafting import ExtractiveDrafter
from assistant.pii import MappingStore, PseudonymMap
from relais.cli import app as cli
from relais.settings import Settings
from relais.components import open_store
from tests.web.conftest import PASSWORD, login, receive_until
from web.app import create_app
from web.deps import Services
from web.broker import LocalBroker
from web.hub import Hub
from web.models import OfflineRequest
from web.nlp import ThreadedNlp
from web.offline import today
from web.security import Vault
from web.store import Store, Unreadable

OLD_PUBLIC_DEFAULT = "change-me-relais-dev-only"  # the key every install used to share


@pytest.fixture
def no_secret_in_env(tmp_path, monkeypatch):
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file from the working directory either


def forged_cookie(secret: str, session: dict) -> str:
    """A session cookie as Starlette's SessionMiddleware would sign it with `secret`."""
    payload = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(secret).sign(payload).decode()


def test_a_session_forged_with_the_old_public_key_is_refused(no_secret_in_env, tmp_path, demo_index, scrubber):
    settings = Settings(home=tmp_path / "home")
    store = open_store(settings)
    supervisor = store.add_user("chef", "un-mot-de-passe-solide", "supervisor", ["moel"])
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())
    services = Services(settings, store, ThreadedNlp(assistant), LocalBroker(), Hub(store))
    with TestClient(create_app(services=services)) as client:
        client.cookies.set("relais_session", forged_cookie(OLD_PUBLIC_DEFAULT, {"user_id": supervisor.id}))
        assert client.get("/session").status_code == 401


def test_without_a_key_one_is_generated_private_and_reused(no_secret_in_env, tmp_path):
    home = tmp_path / "home"
    first = Settings(home=home).secret()
    key_file = home / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 43 and first != OLD_PUBLIC_DEFAULT  # 256 bits, url-safe base64
    assert Settings(home=home).secret() == first  # the next start reuses it: sessions survive
    assert Settings(home=tmp_path / "other").secret() != first  # every install has its own


def test_a_given_key_is_used_and_nothing_is_written(no_secret_in_env, tmp_path):
    home = tmp_path / "home"
    assert Settings(home=home, secret_key="une-cle-de-production").secret() == "une-cle-de-production"
    assert not (home / "secret_key").exists()


def test_the_signing_and_encryption_keys_differ_from_the_secret_and_each_other(no_secret_in_env, tmp_path):
    settings = Settings(home=tmp_path, secret_key="une-cle-de-production")
    keys = {settings.secret(), settings.signing_key(), settings.encryption_secret()}
    assert len(keys) == 3


def test_a_blank_key_counts_as_unset_and_the_old_public_one_is_refused(no_secret_in_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RELAIS_SECRET_KEY", " ")
    assert Settings(home=tmp_path).secret() == (tmp_path / "secret_key").read_text().strip()
    monkeypatch.setenv("RELAIS_SECRET_KEY", OLD_PUBLIC_DEFAULT)
    with pytest.raises(ValueError, match="clé publiée"):
        Settings(home=tmp_path)


# -- key rotation: RELAIS_OLD_SECRET_KEYS, `relais keys rotate` ---------------------------------

KEY_A = "cle-maitresse-de-l-an-dernier"  # the key being retired
KEY_B = "cle-maitresse-de-cette-annee"  # its successor
QUESTION = "je suis Léa Martin, c'est quoi la CAES ?"
EMAIL = "lea.martin@exemple.fr"


@contextmanager
def running(settings: Settings, demo_index, scrubber):
    """The real app on `settings`: one (re)start of the server on the data dir they name."""
    store = open_store(settings)
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())
    services = Services(settings, store, ThreadedNlp(assistant), LocalBroker(), Hub(store))
    with TestClient(create_app(services=services)) as client:
        yield client, services


def rotate(home, key: str, old: str = ""):
    env = {"RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": key, "RELAIS_OLD_SECRET_KEYS": old}
    return CliRunner().invoke(cli, ["keys", "rotate"], env=env)


def test_old_keys_are_read_from_a_comma_separated_value_and_checked_like_the_key(no_secret_in_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RELAIS_OLD_SECRET_KEYS", f"{KEY_A}, une-autre-ancienne-cle")
    settings = Settings(home=tmp_path, secret_key=KEY_B)
    assert [key.get_secret_value() for key in settings.old_secret_keys] == [KEY_A, "une-autre-ancienne-cle"]
    assert len(settings.old_signing_keys()) == 2 and settings.signing_key() not in settings.old_signing_keys()
    assert Settings(home=tmp_path, secret_key=KEY_A).encryption_secret() == settings.old_encryption_secrets()[0]
    monkeypatch.setenv("RELAIS_OLD_SECRET_KEYS", "")
    assert Settings(home=tmp_path, secret_key=KEY_B).old_secret_keys == []
    monkeypatch.setenv("RELAIS_OLD_SECRET_KEYS", f"{KEY_A},,une-autre-ancienne-cle")
    with pytest.raises(ValueError, match="RELAIS_OLD_SECRET_KEYS.*vide"):
        Settings(home=tmp_path, secret_key=KEY_B)


def test_an_old_key_equal_to_a_public_key_is_refused_at_startup(no_secret_in_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RELAIS_OLD_SECRET_KEYS", f"{KEY_A},{OLD_PUBLIC_DEFAULT}")
    with pytest.raises(ValueError, match="clé publiée"):
        Settings(home=tmp_path, secret_key=KEY_B)
    refused = rotate(tmp_path, KEY_B, f"{KEY_A},{OLD_PUBLIC_DEFAULT}")
    assert refused.exit_code == 2 and "RELAIS_OLD_SECRET_KEYS" in refused.output and "clé publiée" in refused.output


def test_a_console_session_opened_under_the_old_key_survives_the_restart_and_is_signed_again(
    no_secret_in_env, tmp_path, demo_index, scrubber
):
    home = tmp_path / "home"
    with running(Settings(home=home, secret_key=KEY_A), demo_index, scrubber) as (client, services):
        services.store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"])
        assert login(client).status_code == 303
        under_a = client.cookies["relais_session"]
    with running(Settings(home=home, secret_key=KEY_B, old_secret_keys=[KEY_A]), demo_index, scrubber) as (client, _):
        client.cookies.set("relais_session", under_a)
        with client.websocket_connect("/console/ws") as console:  # the counsellor's open console carries on
            assert console.receive_json()["type"] == "queues"
        answer = client.get("/session")
        assert answer.status_code == 200 and answer.json()["login"] == "conseil"
        under_b = answer.cookies["relais_session"]  # signed again, with the new key
    with running(Settings(home=home, secret_key=KEY_B), demo_index, scrubber) as (client, services):
        client.cookies.set("relais_session", under_b)
        assert client.get("/session").json()["login"] == "conseil"
        client.cookies.clear()
        client.cookies.set("relais_session", under_a)  # never came back while A was kept: it ends
        assert client.get("/session").status_code == 401
        assert TimestampSigner(services.settings.signing_key()).validate(under_b.encode())


def test_names_and_emails_stored_under_the_old_key_are_read_with_it_kept_then_under_the_new_key_alone_once_rotated(
    no_secret_in_env, tmp_path, demo_index, scrubber
):
    home = tmp_path / "home"
    with running(Settings(home=home, secret_key=KEY_A, drafts=False), demo_index, scrubber) as (client, services):
        services.store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"])
        with client.websocket_connect("/widget/ws") as widget:
            widget.send_json({"type": "hello", "service": "parcoursup"})
            conversation = widget.receive_json()["conversation"]
            widget.send_json({"type": "message", "text": QUESTION, "key": "k1"})
            receive_until(widget, "ack")
        services.settings.closed_days = [today(services.settings)]  # the offline form is for closed hours
        offline = client.post("/offline", json={"service": "parcoursup", "question": QUESTION, "email": EMAIL, "consent": True})
        offline_id = offline.json()["id"]

    def the_counsellor_reads_everything(client, services) -> None:
        assert login(client).status_code == 303
        with client.websocket_connect("/console/ws") as console:
            receive_until(console, "queues")
            console.send_json({"type": "open", "conversation": conversation, "last_seq": 0})
            assert receive_until(console, "message")["text"] == QUESTION
            console.send_json({"type": "inbox"})
            assert receive_until(console, "inbox")["requests"][0]["question"] == QUESTION
        assert services.store.offline_contact(offline_id)[0] == EMAIL

    with running(Settings(home=home, secret_key=KEY_B, old_secret_keys=[KEY_A]), demo_index, scrubber) as running_b_a:
        the_counsellor_reads_everything(*running_b_a)
    with pytest.raises(Unreadable, match="RELAIS_OLD_SECRET_KEYS"):  # not rotated yet: B alone cannot read them
        open_store(Settings(home=home, secret_key=KEY_B)).mapping(conversation)
    rotated = rotate(home, KEY_B, KEY_A)
    assert rotated.exit_code == 0, rotated.output
    assert "3 valeur(s) rechiffrée(s)" in rotated.stdout and "illisible" not in rotated.stdout
    with running(Settings(home=home, secret_key=KEY_B), demo_index, scrubber) as running_b:
        the_counsellor_reads_everything(*running_b)


@pytest.fixture
def store_under(database_url):
    """Stores on one database (SQLite, then PostgreSQL), each with its own vault keys."""
    from web.db import make_engine, migrate, session_factory

    migrate(database_url)
    engine = make_engine(database_url)
    yield lambda key, *old: Store(session_factory(engine), Vault(key, old))
    engine.dispose()


def test_resealing_goes_in_batches_and_leaves_what_no_key_opens_untouched(store_under):
    under_a = store_under(KEY_A)
    names = {}
    for name in ("Léa Martin", "Hugo Petit", "Inès Moreau", "Noé Roux", "Zoé Blanc"):
        conversation, _ = under_a.open_conversation("moel")
        mapping = PseudonymMap(conversation)
        mapping.placeholder("PERSONNE", name)
        under_a.save_mapping(mapping)
        names[conversation] = name
    offline_id = under_a.add_offline("moel", "<PERSONNE_1> demande", EMAIL, PseudonymMap("offline"))
    lost = store_under("une-cle-perdue").add_offline("moel", "question", "perdu@exemple.fr", PseudonymMap("offline"))
    with under_a.sessions() as session:
        lost_email = session.get(OfflineRequest, lost).email

    seen = []
    counts = store_under(KEY_B, KEY_A).reseal(batch_size=2, progress=lambda count, total: seen.append((count.kind, count.seen, total)))

    by_kind = {count.kind: count for count in counts}
    assert (by_kind["conversation.mapping"].resealed, by_kind["conversation.mapping"].unreadable) == (5, 0)
    assert (by_kind["offline_request.email"].resealed, by_kind["offline_request.email"].unreadable) == (1, 1)
    assert (by_kind["offline_request.mapping"].resealed, by_kind["offline_request.mapping"].unreadable) == (1, 1)
    assert ("conversation.mapping", 2, 5) in seen and ("conversation.mapping", 5, 5) in seen  # batches of 2
    only_b = store_under(KEY_B)
    assert {c: only_b.mapping(c).restore("<PERSONNE_1>") for c in names} == names
    assert only_b.offline_contact(offline_id)[0] == EMAIL
    with only_b.sessions() as session:
        assert session.get(OfflineRequest, lost).email == lost_email  # left as it was
    with pytest.raises(Unreadable):
        only_b.offline_contact(lost)


def test_rotate_names_what_no_key_opens(no_secret_in_env, tmp_path):
    home = tmp_path / "home"
    open_store(Settings(home=home, secret_key="une-cle-perdue")).add_offline("moel", "question", EMAIL, PseudonymMap("offline"))
    open_store(Settings(home=home, secret_key=KEY_A)).open_conversation("moel")  # no mapping yet: nothing to seal
    reported = rotate(home, KEY_B, KEY_A)
    assert reported.exit_code == 1
    assert "adresses e-mail des demandes hors ligne : 1 illisible(s)" in reported.output
    assert "RELAIS_OLD_SECRET_KEYS" in reported.output


def test_an_unreadable_value_is_a_clear_error_logged_once(store_under, caplog):
    under_a = store_under(KEY_A)
    conversation, _ = under_a.open_conversation("moel")
    mapping = PseudonymMap(conversation)
    mapping.placeholder("PERSONNE", "Léa Martin")
    under_a.save_mapping(mapping)
    only_b = store_under(KEY_B)
    with caplog.at_level(logging.ERROR, logger="web.security"):
        for _ in range(3):
            with pytest.raises(Unreadable) as refused:
                only_b.mapping(conversation)
    assert "RELAIS_OLD_SECRET_KEYS" in str(refused.value) and "illisible" in str(refused.value)
    assert len([r for r in caplog.records if "RELAIS_OLD_SECRET_KEYS" in r.getMessage()]) == 1
    assert "Léa" not in caplog.text


def test_the_vault_seals_with_the_current_key_and_rotates_what_an_old_one_sealed():
    sealed_by_a = Vault(KEY_A).seal("lea.martin@exemple.fr")
    b_with_a = Vault(KEY_B, [KEY_A])
    assert b_with_a.open(sealed_by_a) == "lea.martin@exemple.fr"
    assert Vault(KEY_B).open(b_with_a.seal("nouvelle")) == "nouvelle"  # new values go under B at once
    assert Vault(KEY_B).open(b_with_a.rotate(sealed_by_a)) == "lea.martin@exemple.fr"
    with pytest.raises(Unreadable):
        Vault(KEY_B).rotate(sealed_by_a)


def test_a_conversation_sealed_under_a_lost_key_gets_an_error_frame_not_a_dead_socket(no_secret_in_env, tmp_path, demo_index,
                                                                                       scrubber):
    home = tmp_path / "home"
    with running(Settings(home=home, secret_key=KEY_A, drafts=False), demo_index, scrubber) as (client, services):
        services.store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"])
        with client.websocket_connect("/widget/ws") as widget:
            widget.send_json({"type": "hello", "service": "parcoursup"})
            welcome = receive_until(widget, "welcome")
            widget.send_json({"type": "message", "text": QUESTION, "key": "k1"})
            receive_until(widget, "ack")
    with running(Settings(home=home, secret_key=KEY_B, drafts=False), demo_index, scrubber) as (client, services):
        with client.websocket_connect("/widget/ws") as widget:  # the key A was lost, not kept as an old key
            widget.send_json({"type": "hello", "conversation": welcome["conversation"], "token": welcome["token"]})
            assert receive_until(widget, "error")["code"] == "illisible"
            widget.send_json({"type": "ping"})
            assert receive_until(widget, "pong") == {"type": "pong"}
        assert login(client).status_code == 303
        with client.websocket_connect("/console/ws") as console:
            receive_until(console, "queues")
            console.send_json({"type": "open", "conversation": welcome["conversation"]})
            assert "RELAIS_OLD_SECRET_KEYS" in receive_until(console, "error")["message"]
            console.send_json({"type": "ping"})
            assert receive_until(console, "pong") == {"type": "pong"}
