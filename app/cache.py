"""Key/value and session-history cache: Redis when configured and up, else in-process."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from app.redis_link import RedisLink, RedisUnavailable


class MemoryCache:
    """A bounded in-process TTL cache (LRU eviction); thread-safe."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._data: OrderedDict[str, tuple[float, str | list[str]]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def _live(self, key: str) -> str | list[str] | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def _store(self, key: str, value: str | list[str], ttl: int) -> None:
        self._data[key] = (time.monotonic() + ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            self._store(key, value, ttl)

    def get_list(self, key: str) -> list[str]:
        with self._lock:
            value = self._live(key)
        return list(value) if isinstance(value, list) else []

    def append_list(self, key: str, items: list[str], keep: int, ttl: int) -> None:
        with self._lock:
            current = self._live(key)
            values = (list(current) if isinstance(current, list) else []) + items
            self._store(key, values[-keep:], ttl)


class Cache:
    """The cache the service uses. Falls back to :class:`MemoryCache` while Redis is down."""

    def __init__(self, link: RedisLink | None, prefix: str = "agent:") -> None:
        self.link = link
        self.memory = MemoryCache()
        self._prefix = prefix

    @property
    def backend(self) -> str:
        return "redis" if self.link is not None else "memory"

    def status(self) -> str:
        """``up`` when the configured backend answers (in-process is always up)."""
        if self.link is None:
            return "up"
        return "up" if self.link.ping() else "down"

    def get(self, key: str) -> str | None:
        key = self._prefix + key
        if self.link is not None:
            try:
                value = self.link.run(lambda r: r.get(key))
                return None if value is None else str(value)
            except RedisUnavailable:
                pass
        return self.memory.get(key)

    def set(self, key: str, value: str, ttl: int) -> None:
        key = self._prefix + key
        if self.link is not None:
            try:
                self.link.run(lambda r: r.set(key, value, ex=ttl))
                return
            except RedisUnavailable:
                pass
        self.memory.set(key, value, ttl)

    def get_list(self, key: str) -> list[str]:
        key = self._prefix + key
        if self.link is not None:
            try:
                return [str(v) for v in self.link.run(lambda r: list(r.lrange(key, 0, -1)))]
            except RedisUnavailable:
                pass
        return self.memory.get_list(key)

    def append_list(self, key: str, items: list[str], keep: int, ttl: int) -> None:
        key = self._prefix + key
        if self.link is not None:

            def push(r: object) -> None:
                import redis

                assert isinstance(r, redis.Redis)
                pipe = r.pipeline(transaction=True)
                pipe.rpush(key, *items)
                pipe.ltrim(key, -keep, -1)
                pipe.expire(key, ttl)
                pipe.execute()

            try:
                self.link.run(push)
                return
            except RedisUnavailable:
                pass
        self.memory.append_list(key, items, keep, ttl)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
