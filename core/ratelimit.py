"""The API's limit per client: a token bucket in Redis (one Lua script, atomic, on Redis's own clock so every web
replica shares it). A client gets ``API_RATE_PER_SECOND`` tokens a second up to ``API_RATE_BURST``; a request takes
one, a bulk push one per order. Past it the API answers 429 with ``Retry-After`` (config/api.py).

Redis is not on the request's critical path: when it does not answer (or the cache's breaker is open) the limit
fails open — the request goes through — and ``q9_api_rate_limit_fail_open_total`` counts it at /metrics."""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import cache
from prometheus_client import Counter

from . import rediscache

logger = logging.getLogger(__name__)

FAIL_OPEN = Counter("q9_api_rate_limit_fail_open", "API requests let through unmetered because Redis did not answer")
LIMITED = Counter("q9_api_rate_limited", "API requests refused with 429")

# KEYS[1]: the bucket; ARGV: rate (tokens/s), burst, cost. Answers {allowed 0/1, seconds to wait (text)}.
BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return {allowed, tostring(wait)}
"""


class RateLimited(Exception):
    def __init__(self, retry_after: float):
        super().__init__(f"rate limited, retry after {retry_after:.1f} s")
        self.retry_after = max(1, math.ceil(retry_after))


_scripts: dict[int, object] = {}


def take(*, client_id: int, cost: int = 1) -> None:
    """Take ``cost`` tokens from the client's bucket; raises ``RateLimited`` when there are not enough."""
    rate, burst = settings.API_RATE_PER_SECOND, settings.API_RATE_BURST
    if rate <= 0 or cost <= 0:
        return
    if rediscache.degraded():
        FAIL_OPEN.inc()
        return
    try:
        client = cache._cache.get_client(write=True)
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(BUCKET)
        allowed, wait = script(
            keys=[f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:rl:{client_id}"],
            args=[rate, burst, min(cost, burst)],
        )
    except Exception as exc:  # noqa: BLE001 - Redis away: fail open, counted
        FAIL_OPEN.inc()
        logger.warning("rate limit not checked (Redis: %s)", exc.__class__.__name__)
        return
    if not int(allowed):
        LIMITED.inc()
        raise RateLimited(float(wait))
