from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis

from persistence.stores.cache import Cache, MemoryCache, RedisCache
from persistence.stores.pubsub import MemoryPubSub, PubSub, RedisPubSub
from persistence.stores.rate_limits import MemoryRateLimiter, RateLimiter, RedisRateLimiter


@dataclass(slots=True)
class Stores:
    backend: str
    """"redis" or "memory", for logs and health checks."""
    cache: Cache
    pubsub: PubSub
    rate_limiter: RateLimiter
    redis: Redis | None = None

    async def ping(self) -> bool:
        if self.redis is None:
            return True
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.pubsub.close()
        if self.redis is not None:
            await self.redis.aclose()


def open_stores(redis_url: str | None, *, namespace: str = "cnop") -> Stores:
    if redis_url is None:
        return Stores(
            backend="memory",
            cache=MemoryCache(),
            pubsub=MemoryPubSub(),
            rate_limiter=MemoryRateLimiter(),
        )
    # A blocking pool waits for a free connection instead of raising past its size.
    pool = BlockingConnectionPool.from_url(
        redis_url, max_connections=64, timeout=5, decode_responses=True
    )
    redis = Redis(connection_pool=pool)
    return Stores(
        backend="redis",
        cache=RedisCache(redis, namespace),
        pubsub=RedisPubSub(redis, namespace),
        rate_limiter=RedisRateLimiter(redis, namespace),
        redis=redis,
    )
