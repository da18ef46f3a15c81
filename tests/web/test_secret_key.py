"""No public default secret: without RELAIS_SECRET_KEY a private key is generated and kept."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from assistant.chain import Assistant
from assistant.drafting import ExtractiveDrafter
from assistant.pii import MappingStore
from relais.settings import Settings
from relais.components import open_store
from web.app import create_app
from web.deps import Services
from web.broker import LocalBroker
from web.hub import Hub
from web.nlp import ThreadedNlp

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
