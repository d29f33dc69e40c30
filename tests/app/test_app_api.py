"""The HTTP API on embedded defaults: Qdrant local files, in-process cache, no LLM key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.settings import DEFAULT_LLM_MODEL, Settings, is_known_current_model

Docs = list[dict[str, Any]]


def test_ingest_then_search_finds_the_relevant_document(client: TestClient, docs: Docs) -> None:
    response = client.post("/ingest", json={"documents": docs})
    assert response.status_code == 200
    assert response.json() == {"ingested": 4}

    results = client.post("/search", json={"query": "how many days to return an item for a refund",
                                            "top_k": 2}).json()["results"]
    assert len(results) == 2
    assert results[0]["id"] == "returns"
    assert results[0]["metadata"]["source"] == "returns.md"
    assert results[0]["metadata"]["chunk"] == 0
    assert "30 days" in results[0]["text"]
    assert results[0]["score"] > results[1]["score"]


def test_ingest_is_idempotent_and_replaces_stale_chunks(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(chunk_chars=200, chunk_overlap_chars=20)
    store = client.app.state.services.store  # type: ignore[attr-defined]
    long_text = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(60))
    doc = {"id": "long", "text": long_text, "metadata": {"source": "long.md"}}

    assert client.post("/ingest", json={"documents": [doc]}).json() == {"ingested": 1}
    chunks = store.count()
    assert chunks > 5  # long documents are chunked
    assert all(len(p.passage.text) <= 200 for p in store.scan())

    client.post("/ingest", json={"documents": [doc]})
    assert store.count() == chunks  # same id again: no duplicates

    client.post("/ingest", json={"documents": [{"id": "long", "text": "Now it is short."}]})
    assert store.count() == 1
    [point] = list(store.scan())
    assert point.passage.text == "Now it is short."


def test_chat_without_llm_key_answers_extractively_with_citations(
    client: TestClient, docs: Docs
) -> None:
    client.post("/ingest", json={"documents": docs})
    body = client.post(
        "/chat", json={"message": "How long does express shipping take?", "user_id": "u1"}
    ).json()
    assert body["mode"] == "extractive"
    assert body["truncated"] is False
    assert body["session_id"]
    assert body["sources"][0] == {
        "id": "shipping", "source": "shipping.md", "score": body["sources"][0]["score"]
    }
    assert "next business day" in body["response"]
    assert "[1]" in body["response"]


def test_chat_on_an_empty_knowledge_base_says_so(client: TestClient) -> None:
    body = client.post("/chat", json={"message": "anything?", "user_id": "u1"}).json()
    assert body["sources"] == []
    assert "nothing" in body["response"]


def test_session_id_is_kept(client: TestClient, docs: Docs) -> None:
    client.post("/ingest", json={"documents": docs})
    first = client.post("/chat", json={"message": "payment?", "user_id": "u1",
                                       "session_id": "s-42"}).json()
    assert first["session_id"] == "s-42"
    history = client.app.state.services.chat.history("u1", "s-42")  # type: ignore[attr-defined]
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert history[0]["content"] == "payment?"
    assert client.app.state.services.chat.history("u2", "s-42") == []  # type: ignore[attr-defined]


def test_bad_input_is_a_4xx_json_never_a_500(client: TestClient) -> None:
    cases: list[tuple[str, Any]] = [
        ("/chat", {"user_id": "u"}),  # missing message
        ("/chat", {"message": "   ", "user_id": "u"}),  # blank message
        ("/chat", {"message": "hi", "user_id": ""}),
        ("/chat", {"message": 5, "user_id": "u"}),
        ("/chat", {"message": "hi", "user_id": "u", "extra": 1}),
        ("/chat", []),
        ("/search", {}),
        ("/search", {"query": ""}),
        ("/search", {"query": "x", "top_k": 0}),
        ("/search", {"query": "x", "top_k": 51}),
        ("/ingest", {"documents": []}),
        ("/ingest", {"documents": [{"id": "", "text": "x"}]}),
        ("/ingest", {"documents": [{"id": "a", "text": ""}]}),
        ("/ingest", {"documents": [{"id": "a", "text": "x", "metadata": {"k": {"nested": 1}}}]}),
    ]
    for path, payload in cases:
        response = client.post(path, json=payload)
        assert response.status_code == 422, (path, payload, response.text)
        assert response.headers["content-type"] == "application/json"
        assert "detail" in response.json()

    for raw in (b"{not json", b"", b"\xff\xfe", b'{"message": "a", "user_id": "u"'):
        response = client.post("/chat", content=raw, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500, raw
        assert "detail" in response.json()
    assert client.get("/nope").status_code == 404
    assert client.get("/chat").status_code == 405


def test_validation_errors_do_not_echo_input(client: TestClient) -> None:
    secret_text = "do-not-echo-this-" + "x" * 50
    response = client.post("/chat", json={"message": secret_text, "user_id": 7})
    assert response.status_code == 422
    assert secret_text not in response.text


def test_long_messages_are_truncated_and_huge_ones_rejected(
    make_client: Callable[..., TestClient], docs: Docs
) -> None:
    client = make_client(max_message_chars=100, reject_message_chars=1000)
    client.post("/ingest", json={"documents": docs})
    ok = client.post("/chat", json={"message": "refund " * 30, "user_id": "u"})
    assert ok.status_code == 200
    assert ok.json()["truncated"] is True
    history = client.app.state.services.chat.history("u", ok.json()["session_id"])  # type: ignore[attr-defined]
    assert len(history[0]["content"]) == 100

    exact = client.post("/chat", json={"message": "r" * 100, "user_id": "u"})
    assert exact.json()["truncated"] is False

    too_big = client.post("/chat", json={"message": "x" * 1001, "user_id": "u"})
    assert too_big.status_code == 413
    assert "1000" in too_big.json()["detail"]


def test_default_limits_match_the_contract() -> None:
    settings = Settings()
    assert settings.max_message_chars == 10_000
    assert settings.reject_message_chars == 50_000
    assert settings.rate_limit_per_minute == 60
    assert settings.rate_limit_per_hour == 1000
    assert settings.port == 8000
    assert settings.collection == "knowledge"
    assert settings.vector_store == "qdrant"


def test_request_body_over_the_byte_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=2048)
    payload = {"documents": [{"id": "a", "text": "y" * 5000}]}
    response = client.post("/ingest", json=payload)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("request body over 2048 bytes")


def test_api_keys_guard_everything_but_health_ready_metrics(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_keys="key-one-aaaaaaaa, key-two-bbbbbbbb")
    for method, path, payload in [
        ("POST", "/chat", {"message": "hi", "user_id": "u"}),
        ("POST", "/search", {"query": "hi"}),
        ("POST", "/ingest", {"documents": [{"id": "a", "text": "b"}]}),
        ("GET", "/integrations/health", None),
    ]:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": "key-one-aaaaaaaa"},
            {"Authorization": "Basic key-one-aaaaaaaa"},
        ):
            response = client.request(method, path, json=payload, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.json()["detail"] == "missing or invalid API key"
            assert response.headers["www-authenticate"] == "Bearer"
        for key in ("key-one-aaaaaaaa", "key-two-bbbbbbbb"):
            response = client.request(method, path, json=payload,
                                      headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 200, (path, response.text)
    for path in ("/health", "/ready", "/metrics"):
        assert client.get(path).status_code == 200


def test_rate_limit_per_user_with_retry_after(
    make_client: Callable[..., TestClient], docs: Docs
) -> None:
    client = make_client(rate_limit_per_minute=3)
    client.post("/ingest", json={"documents": docs})
    ask = {"message": "refund?", "user_id": "alice"}
    for _ in range(3):
        assert client.post("/chat", json=ask).status_code == 200
    refused = client.post("/chat", json={"message": "refund?", "user_id": "alice"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "user" in refused.json()["detail"]
    assert client.post("/chat", json={"message": "refund?", "user_id": "bob"}).status_code == 200


def test_rate_limit_per_api_key_and_per_hour(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys="key-one-aaaaaaaa,key-two-bbbbbbbb", rate_limit_per_minute=50,
                         rate_limit_per_hour=4)
    one = {"Authorization": "Bearer key-one-aaaaaaaa"}
    two = {"Authorization": "Bearer key-two-bbbbbbbb"}
    for n in range(4):
        response = client.post("/chat", json={"message": "hi", "user_id": f"user{n}"}, headers=one)
        assert response.status_code == 200
    refused = client.post("/chat", json={"message": "hi", "user_id": "fresh-user"}, headers=one)
    assert refused.status_code == 429
    assert "key, per hour" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) <= 3600
    assert client.post("/search", json={"query": "hi"}, headers=one).status_code == 429
    assert client.post("/search", json={"query": "hi"}, headers=two).status_code == 200
    metrics = client.get("/metrics").text
    assert 'agent_rate_limited_requests_total{subject="key"} 2.0' in metrics


def test_identical_questions_are_served_from_the_response_cache(
    client: TestClient, docs: Docs
) -> None:
    client.post("/ingest", json={"documents": docs})
    first = client.post("/chat", json={"message": "What cards do you accept?", "user_id": "a"})
    second = client.post("/chat", json={"message": "what cards do you  accept?", "user_id": "b"})
    assert first.json()["response"] == second.json()["response"]
    metrics = client.get("/metrics").text
    assert 'agent_response_cache_lookups_total{result="hit"} 1.0' in metrics
    assert 'agent_response_cache_lookups_total{result="miss"} 1.0' in metrics
    assert "agent_response_cache_hit_ratio 0.5" in metrics

    # Same question, changed passage: not served from the cache.
    changed = dict(docs[3], text="We accept only cash and gold coins, cash preferred.")
    client.post("/ingest", json={"documents": [changed]})
    third = client.post("/chat", json={"message": "What cards do you accept?", "user_id": "a"})
    assert third.json()["response"] != first.json()["response"]


def test_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    client.post("/search", json={"query": "anything"})
    client.post("/search", json={})
    client.get("/health")
    text = client.get("/metrics").text
    assert 'agent_http_requests_total{method="POST",route="/search",status="200"} 1.0' in text
    assert 'agent_http_requests_total{method="POST",route="/search",status="422"} 1.0' in text
    assert (
        'agent_http_request_duration_seconds_count{method="GET",route="/health",status="200"}'
        in text
    )
    assert "agent_llm_request_duration_seconds" in text
    assert 'agent_backend_errors_total{backend="vector_store"} 0.0' in text


def test_health_ready_and_integrations_on_embedded_defaults(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert (health["vector_store"], health["cache"], health["llm"]) == ("up", "up", "disabled")
    assert client.get("/ready").json() == {"status": "ready"}
    assert client.get("/integrations/health").json() == {
        "vector_store": "up", "cache": "up", "llm": "disabled"
    }


def test_request_id_is_returned_and_honoured(client: TestClient) -> None:
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32
    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    bad = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert bad.headers["x-request-id"] != "bad id\twith spaces"


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/ready", "/chat", "/search", "/ingest", "/metrics",
            "/integrations/health"} <= set(paths)


def test_logs_are_json_with_request_id_and_hold_no_secret_or_body(
    make_client: Callable[..., TestClient], docs: Docs, capsys: Any
) -> None:
    api_key = "very-secret-api-key-123456"
    llm_key = "sk-ant-never-log-this-key"
    client = make_client(api_keys=api_key, anthropic_api_key=llm_key,
                         anthropic_base_url="http://127.0.0.1:9", llm_timeout_seconds=0.5)
    headers = {"Authorization": f"Bearer {api_key}", "X-Request-ID": "trace-me-1"}
    client.post("/ingest", json={"documents": docs}, headers=headers)
    marker = "my-private-question-body-4711"
    response = client.post("/chat", json={"message": marker, "user_id": "u"}, headers=headers)
    assert response.status_code == 200
    client.post("/chat", json={"message": "x", "user_id": "u"},
                headers={"Authorization": "Bearer wrong-key-zzz"})
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert lines, "no JSON log lines"
    assert any(line.get("request_id") == "trace-me-1" and line["message"] == "request"
               for line in lines)
    for secret in (api_key, llm_key, marker, "wrong-key-zzz", "30 days of delivery"):
        assert secret not in err
    assert any("AGENT_API_KEYS" in line["message"] for line in lines) is False


def test_open_mode_warns_at_start(make_client: Callable[..., TestClient], capsys: Any) -> None:
    make_client()
    err = capsys.readouterr().err
    assert "AGENT_API_KEYS is not set" in err


def test_default_model_is_current_in_the_sdk_model_list() -> None:
    assert Settings().llm_model == DEFAULT_LLM_MODEL
    assert is_known_current_model(DEFAULT_LLM_MODEL)
    assert not is_known_current_model("claude-2.1")


def test_redis_password_is_merged_into_a_password_less_url() -> None:
    settings = Settings(redis_url="rediss://cache.internal:6379/0", redis_password="p@ss/word")
    assert settings.redis_connection_url() == "rediss://:p%40ss%2Fword@cache.internal:6379/0"
    kept = Settings(redis_url="redis://user:own@h:1/0", redis_password="other")
    assert kept.redis_connection_url() == "redis://user:own@h:1/0"
    assert Settings(redis_url="").redis_connection_url() is None
    assert "p@ss" not in repr(settings)


def test_an_unexpected_error_is_a_json_500_with_the_request_id(
    client: TestClient, monkeypatch: Any, caplog: Any
) -> None:
    def broken(query: str, top_k: int) -> list[object]:
        raise RuntimeError("bug in a backend adapter")

    monkeypatch.setattr(client.app.state.services.retriever, "search", broken)  # type: ignore[attr-defined]
    response = client.post("/search", json={"query": "x"}, headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error", "request_id": "req-500"}
    assert response.headers["x-request-id"] == "req-500"
    metrics = client.get("/metrics").text
    assert 'agent_http_requests_total{method="POST",route="/search",status="500"} 1.0' in metrics
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)
