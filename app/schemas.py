"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
MetadataValue = str | int | float | bool
MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatRequest(Strict):
    message: NonBlank
    user_id: Identifier
    session_id: Identifier | None = None


class Source(BaseModel):
    id: str
    source: str
    score: float


class ChatResponse(BaseModel):
    response: str
    sources: list[Source]
    session_id: str
    mode: Literal["llm", "extractive"]
    truncated: bool


class SearchRequest(Strict):
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    top_k: int | None = Field(default=None, ge=1, le=50)


class SearchResult(BaseModel):
    id: str
    text: str
    score: float
    metadata: dict[str, MetadataValue]


class SearchResponse(BaseModel):
    results: list[SearchResult]


class DocumentIn(Strict):
    id: Identifier
    text: NonBlank
    metadata: dict[MetadataKey, MetadataValue] = Field(default_factory=dict, max_length=64)


class IngestRequest(Strict):
    documents: list[DocumentIn] = Field(min_length=1, max_length=1000)


class IngestResponse(BaseModel):
    ingested: int


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    vector_store: Literal["up", "down"]
    cache: Literal["up", "down"]
    llm: Literal["up", "down", "disabled"]
    version: str


class IntegrationsHealth(BaseModel):
    vector_store: Literal["up", "down"]
    cache: Literal["up", "down"]
    llm: Literal["up", "down", "disabled"]


class ReadyResponse(BaseModel):
    status: Literal["ready"]


class ErrorResponse(BaseModel):
    detail: object
    request_id: str | None = None
