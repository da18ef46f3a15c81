"""Real databases for the web tests (SQLite files, and a PostgreSQL server started here), and the
app with its real parts behind a test client."""

from __future__ import annotations

import glob
import re
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PASSWORD = "un-mot-de-passe-solide"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(env: dict) -> Iterator[str]:
    """A real `relais serve` with `env` on a free port, once it answers: its base URL; stopped after."""
    from tests.conftest import ROOT

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_ready(base: str, process: subprocess.Popen) -> None:
    """Until a started `relais serve` answers (its model processes loaded), four minutes at most."""
    deadline = time.monotonic() + 240  # a loaded 2-core CI machine takes its time to load the models
    while time.monotonic() < deadline:
        assert process.poll() is None, "relais serve stopped"
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("relais serve did not start")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server's tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A throwaway PostgreSQL cluster on a free port (or RELAIS_TEST_POSTGRES_URL if given)."""
    given = os.environ.get("RELAIS_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert binaries, "PostgreSQL is not installed: .ci/run installs it (apt-get install postgresql)"
    bin_dir = Path(binaries[-1]).parent
    root = Path(f"/tmp/relais-pg-{uuid.uuid4().hex[:8]}")
    data = root / "data"
    root.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "relais", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    port = free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                      f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
        check=True, capture_output=True,
    )
    yield f"postgresql://relais@127.0.0.1:{port}/postgres"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test using it runs twice: on SQLite and on PostgreSQL (a fresh database each time)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relais.sqlite'}"
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("postgresql://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def store(database_url):
    from web.db import make_engine, migrate, session_factory
    from web.security import Vault
    from web.store import Store

    migrate(database_url)
    engine = make_engine(database_url)
    yield Store(session_factory(engine), Vault("secret-de-test"))
    engine.dispose()


@pytest.fixture
def services(tmp_path, demo_index, scrubber):
    from assistant.chain import Assistant
    from assistant.drafting import ExtractiveDrafter
    from assistant.pii import MappingStore
    from relais.settings import Settings
    from relais.components import open_store
    from web.deps import Services
    from web.broker import LocalBroker
    from web.hub import Hub
    from web.nlp import ThreadedNlp

    settings = Settings(home=tmp_path, secret_key="test-secret")
    store = open_store(settings)
    store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"])
    store.add_user("qualite", PASSWORD, "quality", [])
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())
    return Services(settings, store, ThreadedNlp(assistant), LocalBroker(), Hub(store))


@pytest.fixture
def closed(services):
    """Every service closed today: the offline form is for closed hours only."""
    from web.offline import today

    before = services.settings.closed_days
    services.settings.closed_days = [*before, today(services.settings)]
    yield
    services.settings.closed_days = before


@pytest.fixture
def client(services):
    from fastapi.testclient import TestClient
    from web.app import create_app

    with TestClient(create_app(services=services)) as test_client:
        yield test_client


def login(client, user: str = "conseil", password: str = PASSWORD):
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"login": user, "password": password, "csrf": csrf}, follow_redirects=False)


def receive_until(ws, kind: str, limit: int = 10) -> dict:
    for _ in range(limit):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")
