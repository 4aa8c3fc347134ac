"""Redis stores that keep serving from in-process stand-ins while Redis is away.

Each wraps its Redis implementation and an in-process one. While the link is
up, calls go to Redis; a call that fails because Redis is unreachable marks the
link down and is answered in-process, and so is every call after it until the
link's reconnect loop finds Redis again. What that means per store:

- rate limits: budgets count per process (each process grants the whole budget);
- cache: bypassed (every read misses, writes are dropped), so nothing stale
  from one process's memory outlives the outage;
- pub/sub: messages reach the subscribers of the publishing process only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from persistence.stores.cache import RedisCache
from persistence.stores.link import OUTAGE_ERRORS, RedisLink
from persistence.stores.pubsub import MemoryPubSub, RedisPubSub
from persistence.stores.rate_limits import MemoryRateLimiter, RateDecision, RedisRateLimiter

T = TypeVar("T")


async def _first_available(
    link: RedisLink, remote: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]
) -> T:
    if link.up:
        try:
            return await remote()
        except OUTAGE_ERRORS as error:
            link.mark_down(error)
    return await local()


async def _nothing() -> None:
    return None


class FallbackRateLimiter:
    def __init__(self, remote: RedisRateLimiter, link: RedisLink) -> None:
        self._remote = remote
        self._local = MemoryRateLimiter()
        self._link = link

    async def hit(self, key: str, *, limit: int, window: int, cost: int = 1) -> RateDecision:
        return await _first_available(
            self._link,
            lambda: self._remote.hit(key, limit=limit, window=window, cost=cost),
            lambda: self._local.hit(key, limit=limit, window=window, cost=cost),
        )

    async def reset(self, key: str) -> None:
        await _first_available(
            self._link, lambda: self._remote.reset(key), lambda: self._local.reset(key)
        )

    async def block(self, key: str, seconds: int) -> None:
        await _first_available(
            self._link,
            lambda: self._remote.block(key, seconds),
            lambda: self._local.block(key, seconds),
        )

    async def blocked_for(self, key: str) -> int:
        return await _first_available(
            self._link, lambda: self._remote.blocked_for(key), lambda: self._local.blocked_for(key)
        )


class FallbackCache:
    shared = True

    def __init__(self, remote: RedisCache, link: RedisLink) -> None:
        self._remote = remote
        self._link = link

    async def get(self, key: str) -> str | None:
        return await _first_available(self._link, lambda: self._remote.get(key), _nothing)

    async def set(self, key: str, value: str, *, ttl: int) -> None:
        await _first_available(self._link, lambda: self._remote.set(key, value, ttl=ttl), _nothing)

    async def delete(self, key: str) -> None:
        await _first_available(self._link, lambda: self._remote.delete(key), _nothing)


class FallbackPubSub:
    """Redis fan-out while it answers; this process's own subscribers only while not."""

    def __init__(self, remote: RedisPubSub, link: RedisLink) -> None:
        self._remote = remote
        self._local = MemoryPubSub()
        self._link = link

    @property
    def relayed(self) -> bool:
        """True while messages travel between processes."""
        return self._link.up

    async def publish(self, channel: str, message: str) -> None:
        await _first_available(
            self._link,
            lambda: self._remote.publish(channel, message),
            lambda: self._local.publish(channel, message),
        )

    async def publish_locally(self, channel: str, message: str) -> None:
        """To this process's subscribers only (what the price poller feeds them)."""
        await self._local.publish(channel, message)

    async def subscribe(self, channel: str) -> AsyncGenerator[str, None]:
        while True:
            if self._link.up:
                remote = self._remote.subscribe(channel)
                try:
                    async for message in remote:
                        yield message
                    return  # the broker ended it: the caller subscribes again
                except OUTAGE_ERRORS as error:
                    self._link.mark_down(error)
                finally:
                    with contextlib.suppress(Exception):
                        await remote.aclose()
            async with contextlib.aclosing(self._local_until_relayed(channel)) as local:
                async for message in local:
                    yield message

    async def _local_until_relayed(self, channel: str) -> AsyncGenerator[str, None]:
        with self._local.listening(channel) as queue:
            back = asyncio.ensure_future(self._link.wait_up())
            following: asyncio.Future[str] | None = None
            try:
                while True:
                    following = asyncio.ensure_future(queue.get())
                    await asyncio.wait((following, back), return_when=asyncio.FIRST_COMPLETED)
                    if not following.done():
                        return
                    yield following.result()
            finally:
                for task in (following, back):
                    if task is not None:
                        task.cancel()

    async def close(self) -> None:
        await self._local.close()
