"""Builds the service's backends from settings and closes them again."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.auth import ApiKeyAuth
from app.cache import Cache
from app.chat import ChatService
from app.embeddings import Embedder, build_embedder
from app.ingestion import Ingestor, load_documents
from app.llm import AnthropicLLM
from app.metrics import Metrics
from app.rate_limit import RateLimiter
from app.redis_link import RedisLink
from app.retrieval import Retriever
from app.settings import Settings
from app.vector_store import VectorStore, VectorStoreUnavailable, build_vector_store

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    auth: ApiKeyAuth
    embedder: Embedder
    store: VectorStore
    cache: Cache
    limiter: RateLimiter
    llm: AnthropicLLM
    retriever: Retriever
    ingestor: Ingestor
    chat: ChatService

    def close(self) -> None:
        self.store.close()
        self.cache.close()
        self.llm.close()


def build_services(settings: Settings, embedder: Embedder | None = None) -> Services:
    metrics = Metrics()
    embedder = embedder or build_embedder(settings)
    store = build_vector_store(settings, embedder.dimensions)
    redis_url = settings.redis_connection_url()
    link = (
        RedisLink(redis_url, settings.redis_timeout_seconds, settings.redis_retry_seconds)
        if redis_url
        else None
    )
    if link is not None:
        link.on_error = metrics.backend_errors.labels("cache").inc
    cache = Cache(link)
    limiter = RateLimiter(link, settings.rate_limit_per_minute, settings.rate_limit_per_hour)
    llm = AnthropicLLM(settings, metrics)
    retriever = Retriever(embedder, store, metrics)
    chat = ChatService(
        retriever,
        llm,
        cache,
        metrics,
        top_k=settings.top_k,
        max_message_chars=settings.max_message_chars,
        response_ttl=settings.response_cache_ttl_seconds,
        session_ttl=settings.session_ttl_seconds,
        session_turns=settings.session_max_turns,
    )
    return Services(
        settings=settings,
        metrics=metrics,
        auth=ApiKeyAuth(settings.api_key_list),
        embedder=embedder,
        store=store,
        cache=cache,
        limiter=limiter,
        llm=llm,
        retriever=retriever,
        ingestor=Ingestor(embedder, store, settings.chunk_chars, settings.chunk_overlap_chars),
        chat=chat,
    )


def seed_knowledge(services: Services) -> int:
    """Ingest the bundled knowledge base when the collection is empty (first start)."""
    settings = services.settings
    if not settings.seed_knowledge or not settings.knowledge_path.exists():
        return 0
    try:
        if services.store.count() > 0:
            return 0
        documents = load_documents(settings.knowledge_path)
        count = services.ingestor.ingest(documents)
    except VectorStoreUnavailable as exc:
        log.warning("could not seed the knowledge base", extra={"error": str(exc)})
        return 0
    log.info("seeded knowledge base", extra={"documents": count})
    return count
