"""Fixed-window counters: how many units a key spent in the current window."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    """Seconds until the window resets (0 when allowed)."""


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: int, cost: int = 1) -> RateDecision: ...

    async def reset(self, key: str) -> None: ...

    async def block(self, key: str, seconds: int) -> None:
        """Mark ``key`` blocked for ``seconds`` from now."""

    async def blocked_for(self, key: str) -> int:
        """Seconds ``key`` stays blocked; 0 when it is not."""
        ...


def _decide(used: int, limit: int, seconds_left: float) -> RateDecision:
    allowed = used <= limit
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=max(0, limit - used),
        retry_after=0 if allowed else max(1, math.ceil(seconds_left)),
    )


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._blocks: dict[str, float] = {}

    async def hit(self, key: str, *, limit: int, window: int, cost: int = 1) -> RateDecision:
        now = time.monotonic()
        started, used = self._windows.get(key, (now, 0))
        if now - started >= window:
            started, used = now, 0
        used += cost
        self._windows[key] = (started, used)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
        return _decide(used, limit, window - (now - started))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def block(self, key: str, seconds: int) -> None:
        now = time.monotonic()
        self._blocks = {k: until for k, until in self._blocks.items() if until > now}
        self._blocks[key] = now + seconds

    async def blocked_for(self, key: str) -> int:
        remaining = self._blocks.get(key, 0.0) - time.monotonic()
        return max(0, math.ceil(remaining))


class RedisRateLimiter:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:rate:"

    async def hit(self, key: str, *, limit: int, window: int, cost: int = 1) -> RateDecision:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(name, cost)
            pipe.expire(name, window, nx=True)
            pipe.pttl(name)
            used, _, ttl_ms = await pipe.execute()
        return _decide(int(used), limit, max(int(ttl_ms), 0) / 1000)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def block(self, key: str, seconds: int) -> None:
        await self._redis.set(self._prefix + "block:" + key, "1", ex=seconds)

    async def blocked_for(self, key: str) -> int:
        ttl_ms = int(await self._redis.pttl(self._prefix + "block:" + key))
        return max(0, math.ceil(ttl_ms / 1000))
