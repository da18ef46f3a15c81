"""The index on a real Chroma server (`chroma run`), as when Relais runs on several machines."""

import shutil
import sys
from pathlib import Path
import socket
import subprocess
import time
import urllib.request

import pytest

from ingest.pipeline import SourceSpec, run_ingest
from tests.conftest import snippet, write_jsonl

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    beside_python = Path(sys.executable).parent / "chroma"  # the venv's bin/ may not be on PATH
    binary = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    assert binary, "the `chroma` command comes with the chromadb package"
    port = free_port()
    process = subprocess.Popen(
        [binary, "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the Chroma server did not start")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_ingest_and_search_through_the_chroma_server(chroma_server, make_index, tmp_path):
    records = [
        snippet(id="mm-recours", title="Saisir le recteur sans admission en master",
                body="Sans admission en master, vous pouvez saisir le recteur de votre région académique.",
                services=["monmaster"], audience=["etudiant"]),
        snippet(id="ps-caes", title="La CAES", body="La commission d'accès à l'enseignement supérieur aide les candidats sans proposition."),
    ]
    index = make_index(tmp_path / "home", chroma_url=chroma_server, collection="test-server")
    summary = run_ingest(index, [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", records))])
    assert summary.added == 2
    assert index.store.count() == 2  # the vectors live on the server
    hits = index.search("j'ai eu aucune réponse positive pour mon master", k=2)
    assert hits[0].doc_id == "oscar:mm-recours"
    from knowledge.filters import SearchFilters

    filtered = index.search("commission", k=5, filters=SearchFilters(services=("monmaster",)))
    assert [h.doc_id for h in filtered] == ["oscar:mm-recours"]
