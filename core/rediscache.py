"""A Redis cache that never puts Redis on a request's critical path.

Django's RedisCache raises when Redis is stopped and waits as long as the socket does when Redis hangs (a
SIGSTOPped server accepts connections and never answers). This one:

- gives every socket a short timeout (``OPTIONS``: ``socket_connect_timeout`` / ``socket_timeout``, 0.5 s each
  by default in settings);
- answers a failed read as a miss (``get`` → default), a failed write as not written (``add`` → True: the caller
  goes on, as a first writer would; the API's replay check keeps its record in PostgreSQL, ``core.signing``), a
  failed delete as done;
- after a failure, skips Redis altogether for ``CACHE_BREAKER_SECONDS`` (5 s): one clerk waits one timeout,
  the next ones none; ``degraded()`` says so, and the pages show a note (``core.context_processors``).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

_open_until = 0.0  # process-wide: every cache alias shares one Redis


def degraded() -> bool:
    return time.monotonic() < _open_until


def _trip(exc: Exception, seconds: float) -> None:
    global _open_until
    if not degraded():
        logger.warning("Redis unavailable (%s): cache bypassed for %.0f s", exc.__class__.__name__, seconds)
    _open_until = time.monotonic() + seconds


def reset() -> None:
    global _open_until
    _open_until = 0.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` (copying its ~170 response callbacks) for every operation;
    one per connection pool is enough (it is thread-safe: the pool hands out the connections). A clerk's poll
    does two cache operations, so this is a tenth of its CPU."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.breaker_seconds = float(options.pop("breaker_seconds", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _guard(self, method: str, fallback, *args, **kwargs):
        if degraded():
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - redis.ConnectionError, TimeoutError, OSError…: degrade
            if exc.__class__.__module__.split(".")[0] not in ("redis", "socket", "builtins"):
                raise
            _trip(exc, self.breaker_seconds)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", [], data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", True, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard("incr", delta, key, delta, version)

    def clear(self):
        return self._guard("clear", None)
