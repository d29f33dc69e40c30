"""Vector store backends (Qdrant server or local files, Chroma server or embedded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.vector_store.store import (
    Passage,
    SearchHit,
    StoredPoint,
    VectorStore,
    VectorStoreUnavailable,
)

if TYPE_CHECKING:
    from app.settings import Settings


def build_vector_store(settings: Settings, dimensions: int) -> VectorStore:
    """The backend named by ``AGENT_VECTOR_STORE``; it connects lazily."""
    if settings.vector_store == "chroma":
        from app.vector_store.chroma import ChromaStore

        return ChromaStore.from_settings(settings, dimensions)
    from app.vector_store.qdrant import QdrantStore

    return QdrantStore.from_settings(settings, dimensions)


__all__ = [
    "Passage",
    "SearchHit",
    "StoredPoint",
    "VectorStore",
    "VectorStoreUnavailable",
    "build_vector_store",
]
