"""Builds the heavy shared parts from the settings, once per process."""

from __future__ import annotations

from knowledge.embeddings import make_embedder
from knowledge.index import KnowledgeIndex
from relais.settings import Settings


def open_index(settings: Settings) -> KnowledgeIndex:
    """The knowledge index named by the settings (loads the embedding model)."""
    return KnowledgeIndex.open(
        make_embedder(settings.embeddings),
        settings.home,
        chroma_url=settings.chroma_url,
        collection=settings.chroma_collection,
    )
