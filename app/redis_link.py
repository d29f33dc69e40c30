"""A Redis connection that is skipped for a while after it fails, so an outage costs
one short timeout instead of one per request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import redis

log = logging.getLogger(__name__)
T = TypeVar("T")


class RedisUnavailable(RuntimeError):
    """Redis is down or was recently down; use the in-process fallback."""


def redacted(url: str) -> str:
    """``scheme://host:port/db`` without user or password, for logs."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


class RedisLink:
    """Wraps a redis-py client (redis:// or rediss:// with AUTH) with a retry window."""

    def __init__(self, url: str, timeout: float, retry_seconds: float) -> None:
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            decode_responses=True,
        )
        self.where = redacted(url)
        self._retry_seconds = retry_seconds
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.on_error: Callable[[], None] = lambda: None

    @property
    def up(self) -> bool:
        return time.monotonic() >= self._down_until

    def run(self, operation: Callable[[redis.Redis], T]) -> T:
        if not self.up:
            raise RedisUnavailable(self.where)
        try:
            return operation(self.client)
        except (redis.RedisError, OSError) as exc:
            self._mark_down(exc)
            raise RedisUnavailable(self.where) from exc

    def ping(self) -> bool:
        """Check now, even inside the retry window (used by health checks)."""
        try:
            self.client.ping()
        except (redis.RedisError, OSError) as exc:
            self._mark_down(exc)
            return False
        self._down_until = 0.0
        return True

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            was_up = self.up
            self._down_until = time.monotonic() + self._retry_seconds
        self.on_error()
        if was_up:
            log.warning(
                "redis unavailable, using in-process fallback",
                extra={"redis": self.where, "error": type(exc).__name__},
            )

    def close(self) -> None:
        self.client.close()
