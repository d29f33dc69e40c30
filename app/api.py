"""The HTTP API (FastAPI)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app import __version__
from app.chat import result_json
from app.container import Services, build_services, seed_knowledge
from app.embeddings import Embedder
from app.ingestion import Document
from app.logs import configure_logging, request_id_var
from app.rate_limit import RateLimited
from app.request_context import RequestContext
from app.schemas import (
    ChatRequest,
    ChatResponse,
    ErrorResponse,
    HealthResponse,
    IngestRequest,
    IngestResponse,
    IntegrationsHealth,
    ReadyResponse,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from app.settings import Settings
from app.vector_store import VectorStoreUnavailable

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (401, 413, 422, 429, 503)
}


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def caller_key(request: Request) -> str | None:
    """Enforces AGENT_API_KEYS; returns the caller's key fingerprint."""
    return services(request).auth.identify(request)


def _subjects(request: Request, key: str | None, user_id: str | None) -> list[tuple[str, str]]:
    subjects: list[tuple[str, str]] = []
    if key is not None:
        subjects.append(("key", key))
    if user_id is not None:
        subjects.append(("user", user_id))
    elif key is None and request.client is not None:
        subjects.append(("client", request.client.host))  # open mode, no user: per address
    return subjects


def _error(status_code: int, detail: object, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "request_id": request_id_var.get()},
        status_code=status_code,
        headers=headers,
    )


def _vector_store_status(svc: Services) -> str:
    try:
        svc.store.ping()
    except VectorStoreUnavailable:
        svc.metrics.backend_errors.labels("vector_store").inc()
        return "down"
    return "up"


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    svc = build_services(settings, embedder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("starting agent service", extra={"config": settings.describe()})
        if not svc.auth.enabled:
            log.warning(
                "AGENT_API_KEYS is not set: the API is open to anyone who can reach it "
                "(local use only)"
            )
        await run_in_threadpool(seed_knowledge, svc)
        yield
        svc.close()

    app = FastAPI(
        title="agent-stack agent service",
        version=__version__,
        description="Answers questions from a knowledge base with citations.",
        lifespan=lifespan,
    )
    app.state.services = svc
    app.add_middleware(
        RequestContext,
        metrics=svc.metrics,
        max_body_bytes=settings.max_body_bytes,
    )

    @app.exception_handler(VectorStoreUnavailable)
    async def store_down(request: Request, exc: VectorStoreUnavailable) -> JSONResponse:
        log.warning("vector store unavailable", extra={"error": str(exc)})
        return _error(
            503,
            "the vector store is unavailable; retry shortly",
            {"Retry-After": "5"},
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        svc.metrics.rate_limited.labels(exc.subject_kind).inc()
        return _error(
            429,
            f"rate limit exceeded ({exc.subject_kind}, per {exc.window})",
            {"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, exc.detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Echo where and why, never the submitted values.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return _error(422, errors)

    @app.get("/health", response_model=HealthResponse, tags=["ops"])
    def health() -> HealthResponse:
        store = _vector_store_status(svc)
        cache = svc.cache.status()
        llm = svc.llm.status()
        degraded = store == "down" or cache == "down" or llm == "down"
        return HealthResponse(
            status="degraded" if degraded else "ok",
            vector_store=store,  # type: ignore[arg-type]
            cache=cache,  # type: ignore[arg-type]
            llm=llm,  # type: ignore[arg-type]
            version=__version__,
        )

    @app.get("/ready", response_model=ReadyResponse, responses=ERRORS, tags=["ops"])
    def ready() -> ReadyResponse:
        svc.store.ping()  # VectorStoreUnavailable -> 503
        return ReadyResponse(status="ready")

    @app.get("/metrics", tags=["ops"], response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(svc.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/integrations/health", response_model=IntegrationsHealth, responses=ERRORS, tags=["ops"]
    )
    def integrations(key: str | None = Depends(caller_key)) -> IntegrationsHealth:
        return IntegrationsHealth(
            vector_store=_vector_store_status(svc),  # type: ignore[arg-type]
            cache=svc.cache.status(),  # type: ignore[arg-type]
            llm=svc.llm.status(),  # type: ignore[arg-type]
        )

    @app.post("/chat", response_model=ChatResponse, responses=ERRORS, tags=["agent"])
    def chat(
        body: ChatRequest, request: Request, key: str | None = Depends(caller_key)
    ) -> dict[str, object]:
        if len(body.message) > settings.reject_message_chars:
            raise HTTPException(
                413,
                f"message over {settings.reject_message_chars} characters",
            )
        svc.limiter.check(_subjects(request, key, body.user_id))
        result = svc.chat.answer(body.message, body.user_id, body.session_id)
        log.info(
            "chat answered",
            extra={"mode": result.mode, "cached": result.cached, "sources": len(result.sources)},
        )
        return result_json(result)

    @app.post("/search", response_model=SearchResponse, responses=ERRORS, tags=["agent"])
    def search(
        body: SearchRequest, request: Request, key: str | None = Depends(caller_key)
    ) -> SearchResponse:
        svc.limiter.check(_subjects(request, key, None))
        hits = svc.retriever.search(body.query, body.top_k or settings.top_k)
        return SearchResponse(
            results=[
                SearchResult(
                    id=h.doc_id,
                    text=h.text,
                    score=h.score,
                    metadata={**h.metadata, "chunk": h.chunk},
                )
                for h in hits
            ]
        )

    @app.post("/ingest", response_model=IngestResponse, responses=ERRORS, tags=["agent"])
    def ingest(
        body: IngestRequest, request: Request, key: str | None = Depends(caller_key)
    ) -> IngestResponse:
        svc.limiter.check(_subjects(request, key, None))
        documents = [Document(d.id, d.text, dict(d.metadata)) for d in body.documents]
        return IngestResponse(ingested=svc.ingestor.ingest(documents))

    return app
