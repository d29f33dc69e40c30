"""Chroma as the vector store: a real `chroma run` server, and embedded files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import ChromaServer
from fastapi.testclient import TestClient

Docs = list[dict[str, Any]]
QUERY = {"query": "laptop warranty for hardware faults", "top_k": 3}


def test_chroma_server_search_chat_and_idempotent_ingest(
    make_client: Callable[..., TestClient], chroma_server: ChromaServer, docs: Docs
) -> None:
    client = make_client(vector_store="chroma", chroma_url=chroma_server.url,
                         chroma_token="chroma-test-token", chunk_chars=200,
                         chunk_overlap_chars=20)
    assert client.post("/ingest", json={"documents": docs}).json() == {"ingested": 4}
    results = client.post("/search", json=QUERY).json()["results"]
    assert results[0]["id"] == "warranty"
    assert -1.0 <= results[-1]["score"] <= results[0]["score"] <= 1.0
    assert results[0]["metadata"]["source"] == "warranty.md"

    store = client.app.state.services.store  # type: ignore[attr-defined]
    long_doc = {"id": "long", "text": " ".join(f"Line {i} of a long text." for i in range(40))}
    client.post("/ingest", json={"documents": [long_doc]})
    many = store.count()
    client.post("/ingest", json={"documents": [long_doc]})
    assert store.count() == many
    client.post("/ingest", json={"documents": [{"id": "long", "text": "short now"}]})
    assert store.count() == 5

    body = client.post("/chat", json={"message": "Is a spilled drink covered?",
                                      "user_id": "u"}).json()
    assert body["sources"][0]["id"] == "warranty"


def test_chroma_server_outage_is_503_and_recovers_without_restart(
    make_client: Callable[..., TestClient], chroma_server: ChromaServer, docs: Docs
) -> None:
    client = make_client(vector_store="chroma", chroma_url=chroma_server.url)
    client.post("/ingest", json={"documents": docs})
    before = client.post("/search", json=QUERY).json()

    chroma_server.stop()
    try:
        for path, payload in (("/search", QUERY), ("/chat", {"message": "hi", "user_id": "u"}),
                              ("/ingest", {"documents": docs[:1]})):
            response = client.post(path, json=payload)
            assert response.status_code == 503, path
            assert response.json()["detail"] == "the vector store is unavailable; retry shortly"
            assert response.headers["retry-after"] == "5"
        assert client.get("/ready").status_code == 503
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert client.get("/integrations/health").json()["vector_store"] == "down"
    finally:
        chroma_server.start()

    assert client.get("/ready").status_code == 200
    assert client.post("/search", json=QUERY).json() == before
    metrics = client.get("/metrics").text
    assert 'agent_http_requests_total{method="POST",route="/search",status="503"} 1.0' in metrics


def test_chroma_embedded(make_client: Callable[..., TestClient], docs: Docs) -> None:
    client = make_client(vector_store="chroma")
    client.post("/ingest", json={"documents": docs})
    results = client.post("/search", json={"query": "express shipping next day"}).json()
    assert results["results"][0]["id"] == "shipping"
    assert client.get("/health").json()["vector_store"] == "up"


@pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")
def test_unreachable_qdrant_server_is_503(make_client: Callable[..., TestClient]) -> None:
    from conftest import free_port

    client = make_client(qdrant_url=f"http://127.0.0.1:{free_port()}",
                         qdrant_api_key="qdrant-secret", vector_store_timeout_seconds=1)
    response = client.post("/search", json={"query": "x"})
    assert response.status_code == 503
    assert client.get("/ready").status_code == 503
    assert client.get("/health").json()["vector_store"] == "down"
