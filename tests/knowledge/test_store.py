"""The Chroma store gives the same neighbours in every process that opens it.

Chroma keeps the writes it has not yet folded into its saved graph in a log, and replays that log
into the graph each time a process opens the collection, in an order that changes from one
process to the next: two web workers, or two evaluation runs, then ranked the same question
differently. The store saves the graph at every write, so nothing is left to replay.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from knowledge.filters import SearchFilters
from knowledge.store import ChromaStore
from knowledge.types import Chunk, Document

pytestmark = pytest.mark.integration

DIMENSION = 384

QUERIES = """
import json, sys
import numpy as np
from knowledge.filters import SearchFilters
from knowledge.store import ChromaStore
store = ChromaStore.open(path=__import__("pathlib").Path(sys.argv[1]), url=None, collection="chunks", embedder_name="test", dimension=384)
rng = np.random.default_rng(7)
print(json.dumps([[cid for cid, _ in store.query(rng.normal(size=384).astype(np.float32), 15, SearchFilters())] for _ in range(40)]))
"""


def _neighbours(path) -> list[list[str]]:
    done = subprocess.run([sys.executable, "-c", QUERIES, str(path)], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_process_that_opens_the_store_gets_the_same_neighbours(tmp_path):
    store = ChromaStore.open(path=tmp_path, url=None, collection="chunks", embedder_name="test", dimension=DIMENSION)
    rng = np.random.default_rng(3)
    for batch in range(6):  # as an ingest writes: batch after batch, the last ones short of Chroma's own sync threshold
        documents = [Document(doc_id=f"d{batch}-{i}", source="oscar", title=f"t{i}", sections=()) for i in range(450)]
        chunks = [(d, Chunk(chunk_id=f"{d.doc_id}#0", doc_id=d.doc_id, ordinal=0, section="identite", text=d.title))
                  for d in documents]
        store.upsert(chunks, rng.normal(size=(len(chunks), DIMENSION)).astype(np.float32))
    store.upsert(chunks[:300], rng.normal(size=(300, DIMENSION)).astype(np.float32))  # fiches that changed
    del store
    first, second, third = (_neighbours(tmp_path) for _ in range(3))
    assert first == second == third
