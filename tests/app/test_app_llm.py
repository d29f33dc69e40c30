"""Answers through the Anthropic SDK against a local fake Messages API server."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import LLM_KEY
from fake_anthropic import FakeAnthropic
from fastapi.testclient import TestClient

from app.circuit_breaker import CircuitBreaker

Docs = list[dict[str, Any]]
ASK = {"message": "How long does express shipping take?", "user_id": "u1"}


@pytest.fixture
def llm_client(
    make_client: Callable[..., TestClient], fake_llm: FakeAnthropic, docs: Docs
) -> Callable[..., TestClient]:
    def build(**overrides: Any) -> TestClient:
        values = {"anthropic_api_key": LLM_KEY, "anthropic_base_url": fake_llm.url,
                  "llm_timeout_seconds": 2.0, **overrides}
        client = make_client(**values)
        client.post("/ingest", json={"documents": docs})
        return client

    return build


def test_llm_answers_from_the_retrieved_passages(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client()
    body = client.post("/chat", json=ASK).json()
    assert body["mode"] == "llm"
    assert body["sources"][0]["id"] == "shipping"
    assert "Express shipping arrives the next business day" in body["response"]
    [request] = fake_llm.requests
    assert request["model"] == "claude-sonnet-4-6"
    assert "[1]" in request["system"] or "square brackets" in request["system"]
    prompt = request["messages"][-1]["content"]
    assert "[1] (shipping.md)" in prompt and ASK["message"] in prompt
    assert client.get("/health").json()["llm"] == "up"
    metrics = client.get("/metrics").text
    assert 'agent_llm_request_duration_seconds_count{outcome="ok"} 1.0' in metrics
    assert 'agent_llm_tokens_total{kind="input"}' in metrics


def test_base_url_from_the_environment_is_honoured(
    make_client: Callable[..., TestClient], fake_llm: FakeAnthropic, docs: Docs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", LLM_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_llm.url)
    client = make_client()
    client.post("/ingest", json={"documents": docs})
    assert client.post("/chat", json=ASK).json()["mode"] == "llm"
    assert fake_llm.calls == 1


def test_identical_questions_call_the_llm_once(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client()
    first = client.post("/chat", json=ASK).json()
    second = client.post("/chat", json={**ASK, "user_id": "someone-else"}).json()
    assert second["response"] == first["response"] and second["mode"] == "llm"
    assert fake_llm.calls == 1
    client.post("/chat", json={"message": "Which payment methods work?", "user_id": "u1"})
    assert fake_llm.calls == 2


def test_session_turns_are_sent_as_history(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client(session_max_turns=2)
    for n, question in enumerate(["refund rules?", "shipping times?", "warranty?", "cards?"]):
        client.post("/chat", json={"message": question, "user_id": "u1", "session_id": "s"})
        assert len(fake_llm.requests[-1]["messages"]) == 1 + 2 * min(n, 2)
    last = fake_llm.requests[-1]["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant", "user"]
    assert last[0]["content"] == "shipping times?"  # only the last 2 turns are kept


def test_llm_errors_fall_back_and_the_breaker_stops_calls(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client(llm_breaker_failures=2, llm_breaker_reset_seconds=0.5)
    fake_llm.mode = "error"
    answers = [client.post("/chat", json={**ASK, "user_id": f"u{n}"}).json() for n in range(5)]
    assert [a["mode"] for a in answers] == ["extractive"] * 5
    assert "next business day" in answers[0]["response"]
    assert fake_llm.calls == 2  # the open breaker spared the other three
    assert client.get("/integrations/health").json()["llm"] == "down"
    assert client.get("/health").json()["status"] == "degraded"
    assert "agent_llm_circuit_open 1.0" in client.get("/metrics").text

    fake_llm.mode = "ok"
    time.sleep(0.6)  # half-open: one probe goes out and closes the breaker
    recovered = client.post("/chat", json={**ASK, "user_id": "later"}).json()
    assert recovered["mode"] == "llm"  # extractive fallbacks were not cached
    assert client.get("/integrations/health").json()["llm"] == "up"


def test_llm_timeout_answers_extractively_in_bounded_time(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client(llm_timeout_seconds=0.5)
    fake_llm.mode = "hang"
    fake_llm.hang_seconds = 3
    started = time.monotonic()
    body = client.post("/chat", json=ASK).json()
    assert body["mode"] == "extractive"
    assert time.monotonic() - started < 2.5


def test_llm_killed_mid_run(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client()
    assert client.post("/chat", json=ASK).json()["mode"] == "llm"
    fake_llm.stop()
    body = client.post("/chat", json={"message": "Is accidental damage covered?",
                                      "user_id": "u1"})
    assert body.status_code == 200
    assert body.json()["mode"] == "extractive"
    assert body.json()["sources"][0]["id"] == "warranty"


def test_wrong_llm_key_answers_extractively(
    llm_client: Callable[..., TestClient], fake_llm: FakeAnthropic
) -> None:
    client = llm_client(anthropic_api_key="sk-ant-wrong")
    assert client.post("/chat", json=ASK).json()["mode"] == "extractive"


def test_circuit_breaker_states() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=3, reset_seconds=10, clock=lambda: now[0])
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 10.0
    assert breaker.state == "half-open"
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one probe at a time
    breaker.failure()
    assert breaker.state == "open"
    now[0] = 20.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()
