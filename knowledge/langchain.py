"""LangChain adapters over the knowledge index (embeddings now; the retriever lives with it)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from knowledge.embeddings import Embedder


class RelaisEmbeddings(Embeddings):
    """LangChain `Embeddings` over a Relais `Embedder` (same vectors, same model load)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
