"""The Redis stores while their own redis-server is stopped, and after it is back."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.exceptions

from persistence.stores import open_stores
from persistence.stores.fallback import FallbackPubSub
from persistence.stores.link import POOL_EXHAUSTED, RedisLink


@pytest.fixture
async def stores(redis_process):
    opened = open_stores(redis_process.url, namespace="fallback", timeout_s=0.5)
    yield opened
    await opened.close()


async def until(condition, seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_rate_limits_fall_back_to_a_budget_of_this_process(stores, redis_process):
    await stores.rate_limiter.hit("k", limit=3, window=60, cost=3)
    await redis_process.stop()
    assert stores.link is not None
    started = time.monotonic()
    # Redis held the three units spent: the in-process budget starts afresh, and fast.
    decision = await stores.rate_limiter.hit("k", limit=3, window=60, cost=2)
    assert time.monotonic() - started < 2
    assert not stores.link.up
    assert (decision.allowed, decision.remaining) == (True, 1)
    assert not (await stores.rate_limiter.hit("k", limit=3, window=60, cost=2)).allowed
    await stores.rate_limiter.block("login", 30)
    assert 29 <= await stores.rate_limiter.blocked_for("login") <= 30

    await redis_process.start()  # a new, empty server
    await until(lambda: stores.link is not None and stores.link.up)
    # Counted in Redis again, shared by every process.
    assert (await stores.rate_limiter.hit("k", limit=3, window=60)).remaining == 2
    assert stores.redis is not None
    assert await stores.redis.get("fallback:rate:k") == "1"
    assert await stores.rate_limiter.blocked_for("login") == 0


async def test_the_cache_is_bypassed_while_redis_is_away(stores, redis_process):
    await stores.cache.set("a", "shared", ttl=60)
    await redis_process.stop()
    assert await stores.cache.get("a") is None
    await stores.cache.set("b", "dropped", ttl=60)
    assert await stores.cache.get("b") is None
    await stores.cache.delete("a")

    await redis_process.start()  # a new, empty server
    await until(lambda: stores.link is not None and stores.link.up)
    await stores.cache.set("c", "shared again", ttl=60)
    assert await stores.cache.get("c") == "shared again"


async def test_pubsub_serves_local_subscribers_during_the_outage_then_relays_again(
    stores, redis_process
):
    pubsub = stores.pubsub
    assert isinstance(pubsub, FallbackPubSub)
    other = open_stores(redis_process.url, namespace="fallback", timeout_s=0.5)
    received: list[str] = []

    async def listen() -> None:
        async for message in pubsub.subscribe("prices"):
            received.append(message)

    listener = asyncio.create_task(listen())
    try:
        # Relayed: another process's message arrives through Redis.
        await until_delivered(other.pubsub, "through redis", received)

        await redis_process.stop()
        await until(lambda: not pubsub.relayed)  # the broken subscription marked the link
        await pubsub.publish("prices", "local while away")
        await until(lambda: "local while away" in received, 2)

        await redis_process.start()
        await until(lambda: pubsub.relayed)
        await until_delivered(other.pubsub, "through redis again", received)
    finally:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        await other.close()


async def until_delivered(publisher, message: str, received: list[str]) -> None:
    """Publishes until the subscriber has it: resubscribing takes a moment after a fault."""
    async with asyncio.timeout(10):
        while message not in received:
            await publisher.publish("prices", message)
            await asyncio.sleep(0.05)


async def test_a_busy_pool_is_not_an_outage():
    async def ping() -> bool:
        return True

    link = RedisLink(ping)
    states = []
    for error in (POOL_EXHAUSTED, "Connection refused"):
        link.mark_down(redis.exceptions.ConnectionError(error))
        states.append(link.up)
    await link.close()
    assert states == [True, False]
