"""Fixed-window request limits per minute and per hour, per subject (user, API key).

Counters live in Redis so every replica shares them; while Redis is down each
replica counts in process, so limits still hold per replica.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import redis

from app.redis_link import RedisLink, RedisUnavailable


class RateLimited(Exception):
    """A subject went over a limit; ``retry_after`` seconds until its window resets."""

    def __init__(self, subject_kind: str, window: str, retry_after: int) -> None:
        super().__init__(f"{subject_kind} over its per-{window} limit")
        self.subject_kind = subject_kind
        self.window = window
        self.retry_after = retry_after


@dataclass(frozen=True)
class Window:
    name: str
    seconds: int
    limit: int


class InProcessCounter:
    """Window counters kept in a dict; old windows are pruned as time moves on."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last_prune = 0.0

    def incr(self, keys: list[tuple[str, int]]) -> list[int]:
        now = time.time()
        with self._lock:
            if now - self._last_prune > 60:
                self._prune(now)
            out = []
            for key, _ in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
                out.append(self._counts[key])
            return out

    def _prune(self, now: float) -> None:
        self._last_prune = now
        for key in list(self._counts):
            _, seconds, start = key.rsplit(":", 2)
            if int(start) + int(seconds) <= now:
                del self._counts[key]


class RateLimiter:
    def __init__(self, link: RedisLink | None, per_minute: int, per_hour: int) -> None:
        self.link = link
        self.windows = (Window("minute", 60, per_minute), Window("hour", 3600, per_hour))
        self.local = InProcessCounter()

    def check(self, subjects: list[tuple[str, str]]) -> None:
        """Count one request for each ``(kind, id)`` subject; raise RateLimited if over."""
        now = time.time()
        keys: list[tuple[str, int]] = []
        meta: list[tuple[str, Window, float]] = []
        for kind, ident in subjects:
            for window in self.windows:
                start = int(now // window.seconds) * window.seconds
                keys.append((f"rl:{kind}:{ident}:{window.seconds}:{start}", window.seconds))
                meta.append((kind, window, start + window.seconds - now))
        counts = self._incr(keys)
        for count, (kind, window, remaining) in zip(counts, meta, strict=True):
            if count > window.limit:
                raise RateLimited(kind, window.name, max(1, math.ceil(remaining)))

    def _incr(self, keys: list[tuple[str, int]]) -> list[int]:
        if self.link is not None:

            def incr(r: redis.Redis) -> list[int]:
                pipe = r.pipeline(transaction=False)
                for key, seconds in keys:
                    pipe.incr("agent:" + key)
                    # The window start is in the key, so refreshing the TTL is harmless;
                    # (EXPIRE ... NX would need Redis 7, Azure Cache for Redis runs 6.)
                    pipe.expire("agent:" + key, seconds + 5)
                results = pipe.execute()
                return [int(v) for v in results[0::2]]

            try:
                return self.link.run(incr)
            except RedisUnavailable:
                pass
        return self.local.incr(keys)
