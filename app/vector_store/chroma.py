"""Chroma backend: a server (``AGENT_CHROMA_URL``) or embedded files (``AGENT_CHROMA_PATH``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from app.settings import Settings
from app.vector_store.store import (
    Metadata,
    Passage,
    SearchHit,
    StoredPoint,
    VectorStoreUnavailable,
)

T = TypeVar("T")
_DOC = "_doc_id"
_CHUNK = "_chunk"
_FAILURES: tuple[type[BaseException], ...] = (
    httpx.HTTPError,
    ChromaError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def _metadata(passage: Passage) -> dict[str, Any]:
    return {**passage.metadata, _DOC: passage.doc_id, _CHUNK: passage.chunk}


def _passage(text: str | None, metadata: Any) -> Passage:
    data: dict[str, Any] = dict(metadata or {})
    doc_id = str(data.pop(_DOC, ""))
    chunk = int(data.pop(_CHUNK, 0))
    user: Metadata = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
    return Passage(doc_id, chunk, text or "", user)


class ChromaStore:
    """Cosine-space Chroma collection; recreates its client after an outage."""

    kind = "chroma"

    def __init__(
        self, client_factory: Callable[[], ClientAPI], collection: str, dimensions: int
    ) -> None:
        self._factory = client_factory
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None
        self.collection = collection
        self.dimensions = dimensions
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings, dimensions: int) -> ChromaStore:
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.chroma_url:
            parts = urlsplit(settings.chroma_url)
            ssl = parts.scheme == "https"
            host = parts.hostname or "127.0.0.1"
            port = parts.port or (443 if ssl else 8000)
            headers = (
                {"Authorization": f"Bearer {settings.chroma_token.get_secret_value()}"}
                if settings.chroma_token
                else None
            )

            def server() -> ClientAPI:
                return chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, headers=headers, settings=chroma_settings
                )

            return cls(server, settings.collection, dimensions)
        path = Path(settings.chroma_path)

        def embedded() -> ClientAPI:
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

        return cls(embedded, settings.collection, dimensions)

    def _call(self, operation: Callable[[Collection], T]) -> T:
        with self._lock:
            try:
                if self._client is None:
                    self._client = self._factory()
                if self._collection is None:
                    self._collection = self._client.get_or_create_collection(
                        self.collection,
                        embedding_function=None,
                        metadata={"hnsw:space": "cosine"},
                    )
                return operation(self._collection)
            except ValueError as exc:
                if self._client is None:  # HttpClient: "Could not connect to a Chroma server"
                    raise VectorStoreUnavailable(f"chroma: {exc}") from exc
                raise
            except _FAILURES as exc:
                self._client = None
                self._collection = None
                raise VectorStoreUnavailable(f"chroma: {type(exc).__name__}") from exc

    def ping(self) -> None:
        self._call(lambda c: c.count())

    def ensure_collection(self) -> None:
        self._call(lambda c: None)

    def count(self) -> int:
        return self._call(lambda c: c.count())

    def upsert(self, passages: list[Passage], vectors: list[list[float]]) -> None:
        if not passages:
            return
        self._call(
            lambda c: c.upsert(
                ids=[p.point_id for p in passages],
                embeddings=vectors,  # type: ignore[arg-type]
                documents=[p.text for p in passages],
                metadatas=[_metadata(p) for p in passages],
            )
        )

    def delete_chunks_from(self, doc_id: str, first_stale_chunk: int) -> None:
        where: Any = {"$and": [{_DOC: doc_id}, {_CHUNK: {"$gte": first_stale_chunk}}]}
        self._call(lambda c: c.delete(where=where))

    def search(self, vector: list[float], top_k: int) -> list[SearchHit]:
        def query(c: Collection) -> Any:
            n = min(top_k, c.count())
            if n == 0:
                return None
            return c.query(
                query_embeddings=[vector],  # type: ignore[arg-type]
                n_results=n,
                include=["documents", "metadatas", "distances"],
            )

        result = self._call(query)
        if result is None:
            return []
        hits = []
        documents = (result.get("documents") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        distances = (result.get("distances") or [[]])[0]
        for text, metadata, distance in zip(documents, metadatas, distances, strict=True):
            passage = _passage(text, metadata)
            hits.append(
                SearchHit(
                    doc_id=passage.doc_id,
                    chunk=passage.chunk,
                    text=passage.text,
                    score=1.0 - float(distance),
                    metadata=passage.metadata,
                )
            )
        return hits

    def _page(self, collection: Collection, *, offset: int, batch: int) -> Any:
        return collection.get(
            limit=batch, offset=offset, include=["embeddings", "documents", "metadatas"]
        )

    def scan(self, batch: int = 256) -> Iterator[StoredPoint]:
        offset = 0
        while True:
            page = self._call(partial(self._page, offset=offset, batch=batch))
            ids = page["ids"]
            if not ids:
                return
            documents: list[Any] = list(page.get("documents") or [None] * len(ids))
            metadatas: list[Any] = list(page.get("metadatas") or [None] * len(ids))
            embeddings = page.get("embeddings")
            if embeddings is None:
                raise VectorStoreUnavailable("chroma returned no embeddings")
            for text, metadata, vector in zip(documents, metadatas, embeddings, strict=True):
                yield StoredPoint(_passage(text, metadata), [float(x) for x in vector])
            offset += len(ids)

    def drop_collection(self) -> None:
        def drop(c: Collection) -> None:
            assert self._client is not None
            self._client.delete_collection(self.collection)

        self._call(drop)
        self._collection = None

    def close(self) -> None:
        with self._lock:
            self._client = None
            self._collection = None
