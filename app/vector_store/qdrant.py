"""Qdrant backend: a server (``AGENT_QDRANT_URL``) or local files (``AGENT_QDRANT_PATH``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from app.settings import Settings
from app.vector_store.store import (
    Metadata,
    Passage,
    SearchHit,
    StoredPoint,
    VectorStoreUnavailable,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

_FAILURES: tuple[type[BaseException], ...] = (
    ResponseHandlingException,
    UnexpectedResponse,
    httpx.HTTPError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def _payload(passage: Passage) -> dict[str, Any]:
    return {
        "doc_id": passage.doc_id,
        "chunk": passage.chunk,
        "text": passage.text,
        "metadata": dict(passage.metadata),
    }


def _passage(payload: dict[str, Any] | None) -> Passage:
    payload = payload or {}
    metadata: Metadata = dict(payload.get("metadata") or {})
    return Passage(
        doc_id=str(payload.get("doc_id", "")),
        chunk=int(payload.get("chunk", 0)),
        text=str(payload.get("text", "")),
        metadata=metadata,
    )


class QdrantStore:
    """Cosine-similarity collection in Qdrant; recovers from outages without a restart."""

    kind = "qdrant"

    def __init__(
        self,
        client_factory: Callable[[], QdrantClient],
        collection: str,
        dimensions: int,
        *,
        local: bool,
        url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        self._factory = client_factory
        self._client: QdrantClient | None = None
        self.collection = collection
        self.dimensions = dimensions
        self.local = local
        self.url = url
        self._api_key = api_key
        self._ready = False
        # Local mode keeps numpy arrays that concurrent writers would race on.
        self._lock: AbstractContextManager[Any] = threading.RLock() if local else nullcontext()
        self._connect_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, dimensions: int) -> QdrantStore:
        if settings.qdrant_url:
            url = settings.qdrant_url
            api_key = (
                settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
            )
            timeout = int(max(1, settings.vector_store_timeout_seconds))
            return cls(
                lambda: QdrantClient(
                    url=url, api_key=api_key, timeout=timeout, check_compatibility=False
                ),
                settings.collection,
                dimensions,
                local=False,
                url=url,
                api_key=api_key,
            )
        path = Path(settings.qdrant_path)

        def local_client() -> QdrantClient:
            path.mkdir(parents=True, exist_ok=True)
            return QdrantClient(path=str(path))

        return cls(local_client, settings.collection, dimensions, local=True)

    # -- plumbing -----------------------------------------------------------------

    def _get_client(self) -> QdrantClient:
        if self._client is None:
            with self._connect_lock:
                if self._client is None:
                    self._client = self._factory()
        return self._client

    def _call(self, operation: Callable[[QdrantClient], T], *, ensure: bool = True) -> T:
        try:
            with self._lock:
                client = self._get_client()
                if ensure and not self._ready:
                    self._create_if_missing(client)
                return operation(client)
        except _FAILURES as exc:
            self._ready = False
            raise VectorStoreUnavailable(f"qdrant: {type(exc).__name__}") from exc
        except RuntimeError as exc:  # local mode: "already accessed by another instance"
            self._ready = False
            raise VectorStoreUnavailable(f"qdrant: {exc}") from exc

    def _create_if_missing(self, client: QdrantClient) -> None:
        if not client.collection_exists(self.collection):
            client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(
                    size=self.dimensions, distance=models.Distance.COSINE
                ),
            )
            if not self.local:
                client.create_payload_index(
                    self.collection, "doc_id", models.PayloadSchemaType.KEYWORD
                )
                client.create_payload_index(
                    self.collection, "chunk", models.PayloadSchemaType.INTEGER
                )
        else:
            info = client.get_collection(self.collection)
            vectors = info.config.params.vectors
            size = vectors.size if isinstance(vectors, models.VectorParams) else None
            if size is not None and size != self.dimensions:
                raise VectorStoreUnavailable(
                    f"collection {self.collection!r} holds {size}-dimensional vectors but the "
                    f"embedder makes {self.dimensions}; re-ingest into a new collection"
                )
        self._ready = True

    # -- the VectorStore interface -----------------------------------------------

    def ping(self) -> None:
        self._call(lambda c: c.get_collections())

    def ensure_collection(self) -> None:
        self._call(lambda c: None)

    def count(self) -> int:
        return self._call(lambda c: c.count(self.collection, exact=True).count)

    def upsert(self, passages: list[Passage], vectors: list[list[float]]) -> None:
        points = [
            models.PointStruct(id=p.point_id, vector=v, payload=_payload(p))
            for p, v in zip(passages, vectors, strict=True)
        ]
        self._call(lambda c: c.upsert(self.collection, points=points, wait=True))

    def delete_chunks_from(self, doc_id: str, first_stale_chunk: int) -> None:
        selector = models.FilterSelector(
            filter=models.Filter(
                must=[
                    models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
                    models.FieldCondition(key="chunk", range=models.Range(gte=first_stale_chunk)),
                ]
            )
        )
        self._call(lambda c: c.delete(self.collection, points_selector=selector, wait=True))

    def search(self, vector: list[float], top_k: int) -> list[SearchHit]:
        response = self._call(
            lambda c: c.query_points(
                self.collection, query=vector, limit=top_k, with_payload=True
            )
        )
        hits = []
        for point in response.points:
            passage = _passage(point.payload)
            hits.append(
                SearchHit(
                    doc_id=passage.doc_id,
                    chunk=passage.chunk,
                    text=passage.text,
                    score=float(point.score),
                    metadata=passage.metadata,
                )
            )
        return hits

    def _page(
        self, client: QdrantClient, *, offset: Any, batch: int
    ) -> tuple[list[models.Record], Any]:
        return client.scroll(
            self.collection, limit=batch, offset=offset, with_payload=True, with_vectors=True
        )

    def scan(self, batch: int = 256) -> Iterator[StoredPoint]:
        offset: Any = None
        while True:
            points, offset = self._call(partial(self._page, offset=offset, batch=batch))
            for point in points:
                vector = point.vector
                if not isinstance(vector, list):
                    raise VectorStoreUnavailable("qdrant: unexpected vector format")
                values = [float(x) for x in vector]  # type: ignore[arg-type]
                yield StoredPoint(_passage(point.payload), values)
            if offset is None:
                return

    def drop_collection(self) -> None:
        self._call(lambda c: c.delete_collection(self.collection), ensure=False)
        self._ready = False

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            self._ready = False

    # -- server snapshots (used by the backup job) --------------------------------

    def create_snapshot(self) -> str:
        """Create a server-side snapshot of the collection and return its name."""
        if self.local:
            raise VectorStoreUnavailable("qdrant snapshots need a server")
        description = self._call(lambda c: c.create_snapshot(self.collection, wait=True))
        if description is None:
            raise VectorStoreUnavailable("qdrant returned no snapshot description")
        return description.name

    def download_snapshot(self, name: str, target: Path) -> None:
        """Stream a server snapshot to a local file (REST: GET .../snapshots/{name})."""
        assert self.url is not None
        headers = {"api-key": self._api_key} if self._api_key else {}
        url = f"{self.url.rstrip('/')}/collections/{self.collection}/snapshots/{name}"
        try:
            with httpx.stream("GET", url, headers=headers, timeout=300) as response:
                response.raise_for_status()
                with target.open("wb") as out:
                    for block in response.iter_bytes():
                        out.write(block)
        except httpx.HTTPError as exc:
            raise VectorStoreUnavailable(f"qdrant snapshot download: {type(exc).__name__}") from exc

    def delete_snapshot(self, name: str) -> None:
        self._call(lambda c: c.delete_snapshot(self.collection, name, wait=True))
