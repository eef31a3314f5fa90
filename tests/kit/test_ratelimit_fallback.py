"""Rate limits keep holding (in process memory) while Redis is unreachable."""
from __future__ import annotations

import socket

import pytest

from afrobiz.kit import ratelimit


@pytest.fixture
def dead_redis_url():
    with socket.socket() as s:           # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield f"redis://127.0.0.1:{port}/15"
    ratelimit._limiter = None             # back to the settings' choice for other tests


async def test_limits_fall_back_to_memory_when_redis_is_down(dead_redis_url):
    ratelimit.configure(dead_redis_url)
    key = "test:fallback:ip:196.44.0.1"
    assert [await ratelimit.hit(key, "3 per minute") for _ in range(4)] == [True, True, True, False]
    with pytest.raises(ratelimit.Throttled) as caught:
        await ratelimit.enforce(key, "3 per minute")
    assert 1 <= caught.value.retry_after <= 60


async def test_redis_storage_is_used_when_it_answers():
    ratelimit.configure("redis://127.0.0.1:6379/15", prefix="afrobiz-test-fallback")
    try:
        key = "test:redis:ip:196.44.0.2"
        await ratelimit.clear(key, "2 per minute")
        assert await ratelimit.hit(key, "2 per minute") and await ratelimit.hit(key, "2 per minute")
        assert not await ratelimit.hit(key, "2 per minute")
        # Counted in Redis, not in the in-memory fallback.
        assert await ratelimit._current().fallback.test(ratelimit._item("2 per minute"), key)
    finally:
        await ratelimit.clear("test:redis:ip:196.44.0.2", "2 per minute")
        ratelimit._limiter = None
