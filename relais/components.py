"""Builds the heavy shared parts from the settings, once per process."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.chain import Assistant
from assistant.drafting import Drafter, ExtractiveDrafter
from assistant.pii import MappingStore, Scrubber
from knowledge.embeddings import make_embedder
from knowledge.index import KnowledgeIndex
from relais.settings import Settings

if TYPE_CHECKING:
    from web.deps import Services
    from web.store import Store


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


def open_store(settings: Settings) -> Store:
    """The database named by the settings, migrated to the latest schema."""
    from web.db import database_url, make_engine, migrate, session_factory
    from web.security import Vault
    from web.store import Store

    url = database_url(settings.database_url, settings.home)
    migrate(url)
    return Store(session_factory(make_engine(url)), Vault(settings.encryption_secret(), settings.old_encryption_secrets()),
                 settings.retention_days)


def build_services(settings: Settings) -> Services:
    """The web app's context: the store, the models (in child processes unless
    `RELAIS_MODEL_PROCESSES=false`), the broker and the hub."""
    from web.broker import make_broker
    from web.deps import Services
    from web.hub import Hub
    from web.nlp import ProcessNlp, ThreadedNlp

    store = open_store(settings)
    nlp = ProcessNlp(settings, open_assistant) if settings.model_processes else ThreadedNlp(open_assistant(settings))
    hub = Hub(store, session_idle=timedelta(minutes=settings.session_idle_minutes),
              session_lifetime=timedelta(hours=settings.session_hours))
    return Services(settings, store, nlp, make_broker(settings.redis_url), hub)
