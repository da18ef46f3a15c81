"""LangChain adapters over the knowledge index: embeddings and a retriever."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from knowledge.embeddings import Embedder
from knowledge.filters import SearchFilters


class RelaisEmbeddings(Embeddings):
    """LangChain `Embeddings` over a Relais `Embedder` (same vectors, same model load)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


class RelaisRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search; each LangChain document carries its `Hit`."""

    index: Any
    k: int = 8
    filters: SearchFilters = SearchFilters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=hit.best_passage, metadata={"doc_id": hit.doc_id, "hit": hit})
            for hit in self.index.search(query, k=self.k, filters=self.filters)
        ]
