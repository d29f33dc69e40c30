"""The Anthropic Messages API behind a circuit breaker."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import anthropic

from app.circuit_breaker import CircuitBreaker
from app.metrics import Metrics
from app.settings import Settings

log = logging.getLogger(__name__)


class LLMUnavailable(RuntimeError):
    """No key, circuit open, timeout or API error: answer extractively instead."""


@dataclass(frozen=True)
class LLMReply:
    text: str
    input_tokens: int
    output_tokens: int


class AnthropicLLM:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.model = settings.llm_model
        self.max_tokens = settings.llm_max_tokens
        self.metrics = metrics
        self.breaker = CircuitBreaker(
            settings.llm_breaker_failures, settings.llm_breaker_reset_seconds
        )
        self.client: anthropic.Anthropic | None = None
        if settings.anthropic_api_key is not None:
            self.client = anthropic.Anthropic(
                api_key=settings.anthropic_api_key.get_secret_value(),
                base_url=settings.anthropic_base_url,  # None -> SDK reads ANTHROPIC_BASE_URL
                timeout=settings.llm_timeout_seconds,
                max_retries=0,  # the breaker and the extractive fallback handle failure
            )

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def status(self) -> str:
        if self.client is None:
            return "disabled"
        return "down" if self.breaker.state == "open" else "up"

    def complete(self, system: str, messages: list[dict[str, str]]) -> LLMReply:
        if self.client is None:
            raise LLMUnavailable("no ANTHROPIC_API_KEY")
        if not self.breaker.allow():
            raise LLMUnavailable("circuit open")
        started = time.perf_counter()
        try:
            message = self.client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=system,
                messages=messages,  # type: ignore[arg-type]
            )
        except anthropic.APIError as exc:
            self._failed(started, exc)
            raise LLMUnavailable(type(exc).__name__) from exc
        text = "".join(block.text for block in message.content if block.type == "text").strip()
        if not text:
            self._failed(started, None)
            raise LLMUnavailable("empty completion")
        self.breaker.success()
        self.metrics.llm_circuit_open.set(0)
        self.metrics.llm_latency.labels("ok").observe(time.perf_counter() - started)
        self.metrics.llm_tokens.labels("input").inc(message.usage.input_tokens)
        self.metrics.llm_tokens.labels("output").inc(message.usage.output_tokens)
        return LLMReply(text, message.usage.input_tokens, message.usage.output_tokens)

    def _failed(self, started: float, exc: BaseException | None) -> None:
        self.breaker.failure()
        self.metrics.llm_latency.labels("error").observe(time.perf_counter() - started)
        self.metrics.backend_errors.labels("llm").inc()
        self.metrics.llm_circuit_open.set(1 if self.breaker.state == "open" else 0)
        log.warning(
            "llm call failed, answering extractively",
            extra={"error": type(exc).__name__ if exc else "empty", "breaker": self.breaker.state},
        )

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
