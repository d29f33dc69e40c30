"""Query -> embedding -> nearest passages."""

from __future__ import annotations

import time

from app.embeddings import Embedder
from app.metrics import Metrics
from app.vector_store import SearchHit, VectorStore, VectorStoreUnavailable


class Retriever:
    def __init__(self, embedder: Embedder, store: VectorStore, metrics: Metrics) -> None:
        self.embedder = embedder
        self.store = store
        self.metrics = metrics

    def search(self, query: str, top_k: int) -> list[SearchHit]:
        vector = self.embedder.embed([query])[0].tolist()
        started = time.perf_counter()
        try:
            hits = self.store.search(vector, top_k)
        except VectorStoreUnavailable:
            self.metrics.backend_errors.labels("vector_store").inc()
            raise
        self.metrics.vector_query_latency.observe(time.perf_counter() - started)
        return hits
