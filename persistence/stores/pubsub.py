"""Fan-out of messages (price ticks, order updates) to every subscriber in every process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterator
from typing import Protocol

from redis.asyncio import Redis


class PubSub(Protocol):
    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str) -> AsyncGenerator[str, None]:
        """Messages published on ``channel`` from now on, until the iterator is closed."""
        ...

    async def close(self) -> None: ...


class MemoryPubSub:
    """In-process fan-out; each subscriber has a bounded queue and drops its oldest on overflow."""

    def __init__(self, queue_size: int = 256) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}
        self._queue_size = queue_size

    async def publish(self, channel: str, message: str) -> None:
        for queue in self._subscribers.get(channel, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncGenerator[str, None]:
        with self.listening(channel) as queue:
            while True:
                yield await queue.get()

    @contextlib.contextmanager
    def listening(self, channel: str) -> Iterator[asyncio.Queue[str]]:
        """The queue that receives ``channel``'s messages while the block runs."""
        queue: asyncio.Queue[str] = asyncio.Queue(self._queue_size)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()


class RedisPubSub:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:events:"

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(self._prefix + channel, message)

    async def subscribe(self, channel: str) -> AsyncGenerator[str, None]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._prefix + channel)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield str(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        return None
