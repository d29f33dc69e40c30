"""Prometheus metrics of one service instance (own registry, so tests can build many)."""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "agent_http_requests", "HTTP requests", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "agent_http_request_duration_seconds",
            "HTTP request latency",
            ["route", "method", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_latency = Histogram(
            "agent_llm_request_duration_seconds",
            "LLM call latency",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter("agent_llm_tokens", "LLM tokens", ["kind"], registry=r)
        self.llm_circuit_open = Gauge(
            "agent_llm_circuit_open", "1 while the LLM circuit breaker is open", registry=r
        )
        self.cache_lookups = Counter(
            "agent_response_cache_lookups", "Response cache lookups", ["result"], registry=r
        )
        self.cache_hit_ratio = Gauge(
            "agent_response_cache_hit_ratio", "Response cache hits / lookups", registry=r
        )
        self.rate_limited = Counter(
            "agent_rate_limited_requests", "Requests refused with 429", ["subject"], registry=r
        )
        self.backend_errors = Counter(
            "agent_backend_errors", "Backend failures", ["backend"], registry=r
        )
        self.vector_query_latency = Histogram(
            "agent_vector_store_query_duration_seconds",
            "Vector store query latency",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._hits = 0
        self._lookups = 0
        self._lock = threading.Lock()
        for backend in ("vector_store", "cache", "llm"):
            self.backend_errors.labels(backend)
        for result in ("hit", "miss"):
            self.cache_lookups.labels(result)

    def cache_lookup(self, hit: bool) -> None:
        self.cache_lookups.labels("hit" if hit else "miss").inc()
        with self._lock:
            self._lookups += 1
            self._hits += int(hit)
            self.cache_hit_ratio.set(self._hits / self._lookups)
