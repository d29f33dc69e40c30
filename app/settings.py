"""Service settings, read from the environment (the contract with infra/)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import quote, urlsplit, urlunsplit

from anthropic.types import Model
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Default model: a current entry of the installed SDK's own model list
#: (``anthropic.types.Model``) that is not in the SDK's deprecation table.
DEFAULT_LLM_MODEL: str = "claude-sonnet-4-6"

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"


class Settings(BaseSettings):
    """Every setting the service reads; names are ``AGENT_<FIELD>`` unless aliased."""

    model_config = SettingsConfigDict(env_prefix="AGENT_", extra="ignore", frozen=True)

    api_keys: SecretStr | None = Field(
        default=None, description="Comma-separated API keys; unset means open (local only)."
    )

    vector_store: Literal["qdrant", "chroma"] = "qdrant"
    collection: str = Field(
        default="knowledge", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,62}[A-Za-z0-9]$"
    )
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_path: str = ".agent-data/qdrant"
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None
    chroma_path: str = ".agent-data/chroma"
    vector_store_timeout_seconds: float = Field(default=5.0, gt=0)

    redis_url: SecretStr | None = None
    redis_password: SecretStr | None = None
    redis_timeout_seconds: float = Field(default=0.5, gt=0)
    redis_retry_seconds: float = Field(default=5.0, ge=0)

    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL")
    )
    llm_model: str = DEFAULT_LLM_MODEL
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    llm_max_tokens: int = Field(default=1024, ge=1)
    llm_breaker_failures: int = Field(default=3, ge=1)
    llm_breaker_reset_seconds: float = Field(default=30.0, ge=0)

    rate_limit_per_minute: int = Field(default=60, ge=1)
    rate_limit_per_hour: int = Field(default=1000, ge=1)
    max_message_chars: int = Field(default=10_000, ge=1)
    reject_message_chars: int = Field(default=50_000, ge=1)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    response_cache_ttl_seconds: int = Field(default=3600, ge=1)
    session_ttl_seconds: int = Field(default=86_400, ge=1)
    session_max_turns: int = Field(default=10, ge=1)

    embedder: Literal["model", "hashing"] = "model"
    hashing_dimensions: int = Field(default=384, ge=16)
    top_k: int = Field(default=4, ge=1, le=50)
    chunk_chars: int = Field(default=1200, ge=100)
    chunk_overlap_chars: int = Field(default=150, ge=0)

    knowledge_path: Path = KNOWLEDGE_DIR
    seed_knowledge: bool = True

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "qdrant_url", "chroma_url", "anthropic_base_url", "api_keys", "redis_url", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check_limits(self) -> Settings:
        if self.reject_message_chars < self.max_message_chars:
            raise ValueError("AGENT_REJECT_MESSAGE_CHARS must be >= AGENT_MAX_MESSAGE_CHARS")
        if self.chunk_overlap_chars >= self.chunk_chars:
            raise ValueError("AGENT_CHUNK_OVERLAP_CHARS must be < AGENT_CHUNK_CHARS")
        return self

    @cached_property
    def api_key_list(self) -> tuple[str, ...]:
        if self.api_keys is None:
            return ()
        return tuple(k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip())

    def redis_connection_url(self) -> str | None:
        """The Redis URL with ``AGENT_REDIS_PASSWORD`` merged in (ECS injects it separately)."""
        if self.redis_url is None:
            return None
        url = self.redis_url.get_secret_value()
        if self.redis_password is None:
            return url
        parts = urlsplit(url)
        if parts.password:
            return url
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host = f"{host}:{parts.port}"
        user = parts.username or ""
        secret = quote(self.redis_password.get_secret_value(), safe="")
        netloc = f"{user}:{secret}@{host}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def describe(self) -> dict[str, object]:
        """A log-safe summary: which backends are configured, never a secret."""
        return {
            "vector_store": self.vector_store,
            "vector_store_mode": self._vector_store_mode(),
            "collection": self.collection,
            "cache": "redis" if self.redis_url else "in-process",
            "llm": "anthropic" if self.anthropic_api_key else "disabled",
            "llm_model": self.llm_model,
            "embedder": self.embedder,
            "auth": "api-keys" if self.api_key_list else "open",
        }

    def _vector_store_mode(self) -> str:
        if self.vector_store == "qdrant":
            return "server" if self.qdrant_url else "local"
        return "server" if self.chroma_url else "embedded"


def is_known_current_model(model: str) -> bool:
    """True when ``model`` is in the SDK's model list and not deprecated by it."""
    from anthropic._data import DEPRECATED_MODELS  # the SDK's own table

    known: set[str] = set()
    pending: list[object] = [Model]
    while pending:  # Model is Union[Literal[...], str]
        for arg in get_args(pending.pop()):
            if isinstance(arg, str):
                known.add(arg)
            else:
                pending.append(arg)
    return model in known and model not in DEPRECATED_MODELS
