"""The short-lived stores behave the same in-process and on Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from persistence.stores import Stores

BACKENDS = ["memory_stores", "redis_stores"]


@pytest.fixture(params=BACKENDS)
def stores(request) -> Stores:
    value: Stores = request.getfixturevalue(request.param)
    return value


def key() -> str:
    return uuid.uuid4().hex


# -------------------------------------------------------------------- cache


async def test_cache_set_get_and_delete(stores):
    name = key()
    assert await stores.cache.get(name) is None
    await stores.cache.set(name, "first", ttl=60)
    assert await stores.cache.get(name) == "first"
    await stores.cache.set(name, "second", ttl=60)
    assert await stores.cache.get(name) == "second"
    await stores.cache.delete(name)
    assert await stores.cache.get(name) is None
    await stores.cache.delete(name)  # deleting a missing key is fine


async def test_cache_entries_are_separate(stores):
    one, two = key(), key()
    await stores.cache.set(one, "1", ttl=60)
    await stores.cache.set(two, "2", ttl=60)
    await stores.cache.delete(one)
    assert await stores.cache.get(one) is None
    assert await stores.cache.get(two) == "2"


async def test_cache_entry_expires_after_its_ttl(stores):
    name = key()
    await stores.cache.set(name, "short-lived", ttl=1)
    assert await stores.cache.get(name) == "short-lived"
    await asyncio.sleep(1.1)
    assert await stores.cache.get(name) is None


async def test_cache_keeps_unicode_and_json_text(stores):
    name = key()
    text = '{"summary": "Portefeuille équilibré — 100 % crypto"}'
    await stores.cache.set(name, text, ttl=60)
    assert await stores.cache.get(name) == text


# ------------------------------------------------------------------- pubsub


async def started_subscription(stores, channel: str) -> tuple[AsyncIterator[str], str]:
    """A subscription that is certainly listening: returns it with the first message it got.

    The subscription only registers once iterated, and on Redis only after a round trip,
    so warm-up messages are published until one arrives.
    """
    messages = stores.pubsub.subscribe(channel)
    first = asyncio.ensure_future(anext(messages))
    for _ in range(200):
        await stores.pubsub.publish(channel, "warm-up")
        done, _ = await asyncio.wait({first}, timeout=0.01)
        if done:
            return messages, first.result()
    first.cancel()
    raise AssertionError("the subscription never received anything")


async def receive(messages: AsyncIterator[str], count: int) -> list[str]:
    received: list[str] = []
    while len(received) < count:
        message = await asyncio.wait_for(anext(messages), timeout=2)
        if message != "warm-up":
            received.append(message)
    return received


async def subscriber_count(stores, channel: str) -> int:
    if stores.redis is not None:
        [(_, count)] = await stores.redis.pubsub_numsub(f"{stores.pubsub._remote._prefix}{channel}")
        return int(count)
    return len(stores.pubsub._subscribers.get(channel, ()))


async def test_subscriber_receives_later_messages_in_order(stores):
    channel = f"prices:{key()}"
    await stores.pubsub.publish(channel, "before anyone listened")
    messages, first = await started_subscription(stores, channel)
    try:
        assert first == "warm-up"
        for number in range(5):
            await stores.pubsub.publish(channel, f"tick-{number}")
        assert await receive(messages, 5) == [f"tick-{number}" for number in range(5)]
    finally:
        await messages.aclose()  # type: ignore[attr-defined]


async def test_every_subscriber_gets_every_message_and_channels_are_separate(stores):
    channel, other = f"orders:{key()}", f"orders:{key()}"
    first, _ = await started_subscription(stores, channel)
    second, _ = await started_subscription(stores, channel)
    elsewhere, _ = await started_subscription(stores, other)
    try:
        await stores.pubsub.publish(channel, "filled")
        await stores.pubsub.publish(other, "cancelled")
        assert await receive(first, 1) == ["filled"]
        assert await receive(second, 1) == ["filled"]
        assert await receive(elsewhere, 1) == ["cancelled"]
    finally:
        for messages in (first, second, elsewhere):
            await messages.aclose()  # type: ignore[attr-defined]


async def test_closing_the_iterator_unsubscribes(stores):
    channel = f"prices:{key()}"
    messages, _ = await started_subscription(stores, channel)
    assert await subscriber_count(stores, channel) == 1
    await messages.aclose()  # type: ignore[attr-defined]
    assert await subscriber_count(stores, channel) == 0
    await stores.pubsub.publish(channel, "nobody listens")  # harmless


# ------------------------------------------------------------- rate limiter


async def test_rate_limiter_refuses_past_the_limit(stores):
    name = f"login:{key()}"
    decisions = [await stores.rate_limiter.hit(name, limit=3, window=60) for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert [decision.remaining for decision in decisions] == [2, 1, 0, 0]
    assert all(decision.retry_after == 0 for decision in decisions[:3])
    assert 0 < decisions[3].retry_after <= 60
    assert decisions[3].limit == 3


async def test_rate_limiter_reset_clears_the_count(stores):
    name = f"login:{key()}"
    for _ in range(4):
        await stores.rate_limiter.hit(name, limit=3, window=60)
    await stores.rate_limiter.reset(name)
    decision = await stores.rate_limiter.hit(name, limit=3, window=60)
    assert decision.allowed is True
    assert decision.remaining == 2


async def test_rate_limits_are_per_key(stores):
    busy, quiet = f"ip:{key()}", f"ip:{key()}"
    for _ in range(3):
        await stores.rate_limiter.hit(busy, limit=3, window=60)
    assert (await stores.rate_limiter.hit(busy, limit=3, window=60)).allowed is False
    assert (await stores.rate_limiter.hit(quiet, limit=3, window=60)).allowed is True


async def test_rate_limiter_counts_the_cost(stores):
    name = f"cost:{key()}"
    first = await stores.rate_limiter.hit(name, limit=10, window=60, cost=7)
    assert first.allowed is True
    assert first.remaining == 3
    second = await stores.rate_limiter.hit(name, limit=10, window=60, cost=4)
    assert second.allowed is False
    assert second.retry_after > 0


async def test_rate_window_starts_afresh_once_over(stores):
    name = f"window:{key()}"
    await stores.rate_limiter.hit(name, limit=1, window=1)
    refused = await stores.rate_limiter.hit(name, limit=1, window=1)
    assert refused.allowed is False
    assert refused.retry_after == 1
    await asyncio.sleep(1.1)
    assert (await stores.rate_limiter.hit(name, limit=1, window=1)).allowed is True
