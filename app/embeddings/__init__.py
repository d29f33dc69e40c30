"""Text embedders: the offline MiniLM model and a deterministic hashing embedder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.embeddings.embedder import Embedder

if TYPE_CHECKING:
    from app.settings import Settings


def embedder_spec(settings: Settings) -> tuple[str, int]:
    """Name and dimensions of the configured embedder, without loading a model."""
    if settings.embedder == "hashing":
        return f"hashing-{settings.hashing_dimensions}", settings.hashing_dimensions
    from app.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder.name, MiniLMEmbedder.dimensions


def build_embedder(settings: Settings) -> Embedder:
    """The embedder named by ``AGENT_EMBEDDER``."""
    if settings.embedder == "hashing":
        from app.embeddings.hashing import HashingEmbedder

        return HashingEmbedder(settings.hashing_dimensions)
    from app.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder.load()


__all__ = ["Embedder", "build_embedder", "embedder_spec"]
