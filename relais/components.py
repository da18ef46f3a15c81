"""Builds the heavy shared parts from the settings, once per process."""

from __future__ import annotations

from assistant.chain import Assistant
from assistant.drafting import Drafter, ExtractiveDrafter
from assistant.pii import MappingStore, Scrubber
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


def make_drafter(settings: Settings, scrubber: Scrubber) -> Drafter:
    """The LLM drafter when an endpoint is configured, else the extractive one."""
    if not settings.llm_base_url:
        return ExtractiveDrafter()
    from assistant.llm import LLMDrafter

    return LLMDrafter(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        find=scrubber.find,
        timeout=settings.llm_timeout,
    )


def open_assistant(settings: Settings, index: KnowledgeIndex | None = None, scrubber: Scrubber | None = None) -> Assistant:
    index = index or open_index(settings)
    scrubber = scrubber or Scrubber()
    return Assistant(
        index=index,
        scrubber=scrubber,
        mappings=MappingStore(ttl_seconds=settings.pii_mapping_ttl_hours * 3600),
        drafter=make_drafter(settings, scrubber),
        abstain_below=settings.abstain_below,
    )
