"""Rate limits with the `limits` library: in process memory, or in Redis when configured.

A small API any domain can reuse (moving windows, rates like "10 per 15 minutes"):

    if not await hit(f"login:ip:{ip}", "30 per 15 minutes"): ...
    await enforce(f"review:user:{user.id}", "5 per hour")          # raises Throttled (429)

Keys are free-form strings; name them `<what>:<by>:<value>`. Redis is used when
settings.redis_url is set, so every web process shares the counters.
"""
from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.errors import StorageError
from redis.exceptions import RedisError
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from afrobiz.errors import RateLimited

REDIS_PREFIX = "afrobiz-limits"


class Throttled(RateLimited):
    """429 with the number of seconds after which a retry may succeed (the Retry-After header)."""

    def __init__(self, detail: str | None = None, *, retry_after: int = 60):
        super().__init__(detail or "Too many attempts. Please wait and try again.")
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


log = logging.getLogger("afrobiz.ratelimit")
REDIS_DOWN = (StorageError, RedisError, OSError)


class _Limiter:
    def __init__(self, redis_url: str | None, prefix: str):
        self.url = redis_url
        if redis_url:
            # limits defaults to coredis for async Redis; redis-py is already a dependency.
            # Short timeouts: a Redis outage must not hang requests.
            self.storage = storage_from_string("async+" + redis_url, implementation="redispy", key_prefix=prefix,
                                               socket_connect_timeout=1, socket_timeout=1)
        else:
            self.storage = storage_from_string("async+memory://")
        self.strategy = MovingWindowRateLimiter(self.storage)
        # While Redis is unreachable, limits still hold per process (in memory) rather than
        # failing the request or letting everything through.
        self.fallback = MovingWindowRateLimiter(storage_from_string("async+memory://"))

    async def call(self, op: str, *args):
        try:
            return await getattr(self.strategy, op)(*args)
        except REDIS_DOWN as exc:
            if self.url is None:
                raise
            log.warning("rate limits: Redis unreachable (%s); counting in process memory", exc)
            return await getattr(self.fallback, op)(*args)


_limiter: _Limiter | None = None


def configure(redis_url: str | None, *, prefix: str = REDIS_PREFIX) -> None:
    """Choose the storage: Redis at redis_url, or this process's memory when it is None."""
    global _limiter
    _limiter = _Limiter(redis_url, prefix)


def _current() -> _Limiter:
    if _limiter is None:
        from afrobiz.config import get_settings

        configure(get_settings().redis_url)
    return _limiter


def current_url() -> str | None:
    return _current().url


def _item(rate: str | RateLimitItem) -> RateLimitItem:
    return parse(rate) if isinstance(rate, str) else rate


async def hit(key: str, rate: str | RateLimitItem) -> bool:
    """Count one event; False when the limit was already reached (the event is not counted)."""
    return await _current().call("hit", _item(rate), key)


async def allowed(key: str, rate: str | RateLimitItem) -> bool:
    """Would one more event be allowed? Counts nothing."""
    return await _current().call("test", _item(rate), key)


async def retry_after(key: str, rate: str | RateLimitItem) -> int:
    """Seconds until one more event would be allowed."""
    stats = await _current().call("get_window_stats", _item(rate), key)
    return max(1, math.ceil(stats.reset_time - time.time()))


async def enforce(key: str, rate: str | RateLimitItem, detail: str | None = None) -> None:
    """Count one event, or raise Throttled (429 + Retry-After) when the limit is reached."""
    if not await hit(key, rate):
        raise Throttled(detail, retry_after=await retry_after(key, rate))


async def check(key: str, rate: str | RateLimitItem, detail: str | None = None) -> None:
    """Raise Throttled when the limit is reached, counting nothing (count failures with hit())."""
    if not await allowed(key, rate):
        raise Throttled(detail, retry_after=await retry_after(key, rate))


async def guard(pairs: list[tuple[str, str | RateLimitItem]], detail: str | None = None) -> None:
    """Check every (key, rate) first, then count one event on each: raises Throttled (429),
    before counting anything when one of them is used up. Counting is atomic per key, so of
    concurrent requests that all passed the check only those within each limit get through."""
    for key, rate in pairs:
        await check(key, rate, detail)
    for key, rate in pairs:
        await enforce(key, rate, detail)


async def clear(key: str, rate: str | RateLimitItem) -> None:
    await _current().call("clear", _item(rate), key)


async def reset_all() -> None:
    """Forget every counter in the current storage (tests; an operator's 'unblock everyone')."""
    await _current().storage.reset()
