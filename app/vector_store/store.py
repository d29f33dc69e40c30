"""The interface of a vector store and the records that cross it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

Metadata = dict[str, str | int | float | bool]

_POINT_NAMESPACE = uuid.UUID("5d1c8a52-3f7e-4b6e-9a57-6f1b2d1e9c40")


def point_id(doc_id: str, chunk: int) -> str:
    """Deterministic point id of one chunk of a document (idempotent re-ingest)."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{doc_id}\x00{chunk}"))


class VectorStoreUnavailable(RuntimeError):
    """The store cannot be reached or refused the operation; callers answer 503."""


@dataclass(frozen=True)
class Passage:
    """One chunk of a document, ready to store."""

    doc_id: str
    chunk: int
    text: str
    metadata: Metadata = field(default_factory=dict)

    @property
    def point_id(self) -> str:
        return point_id(self.doc_id, self.chunk)


@dataclass(frozen=True)
class SearchHit:
    """A passage found by a query, with its cosine similarity."""

    doc_id: str
    chunk: int
    text: str
    score: float
    metadata: Metadata


@dataclass(frozen=True)
class StoredPoint:
    """A stored passage with its vector: the unit of the portable export."""

    passage: Passage
    vector: list[float]


class VectorStore(Protocol):
    """What the service needs from a vector store. Every method may raise
    :class:`VectorStoreUnavailable`."""

    kind: str
    collection: str
    dimensions: int

    def ping(self) -> None:
        """Raise VectorStoreUnavailable when the store cannot serve queries."""
        ...

    def ensure_collection(self) -> None: ...

    def count(self) -> int: ...

    def upsert(self, passages: list[Passage], vectors: list[list[float]]) -> None: ...

    def delete_chunks_from(self, doc_id: str, first_stale_chunk: int) -> None:
        """Delete chunks ``first_stale_chunk..`` of a document (left from a longer version)."""
        ...

    def search(self, vector: list[float], top_k: int) -> list[SearchHit]: ...

    def scan(self, batch: int = 256) -> Iterator[StoredPoint]:
        """Every stored point with its vector, in batches."""
        ...

    def drop_collection(self) -> None: ...

    def close(self) -> None: ...
