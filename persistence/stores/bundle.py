from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from persistence.stores.cache import Cache, MemoryCache, RedisCache
from persistence.stores.fallback import FallbackCache, FallbackPubSub, FallbackRateLimiter
from persistence.stores.link import RedisLink
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
    link: RedisLink | None = None
    """Whether Redis answers; None without Redis."""

    async def ping(self) -> bool:
        if self.redis is None:
            return True
        return bool(await self.redis.ping())

    async def close(self) -> None:
        if self.link is not None:
            await self.link.close()
        await self.pubsub.close()
        if self.redis is not None:
            await self.redis.aclose()


def open_stores(
    redis_url: str | None, *, namespace: str = "cnop", timeout_s: float = 1.0
) -> Stores:
    """``timeout_s`` bounds each connect and command, so that an unreachable Redis fails
    fast and the stores fall back to in-process ones."""
    if redis_url is None:
        return Stores(
            backend="memory",
            cache=MemoryCache(),
            pubsub=MemoryPubSub(),
            rate_limiter=MemoryRateLimiter(),
        )
    # A blocking pool waits for a free connection instead of raising past its size.
    pool = BlockingConnectionPool.from_url(
        redis_url,
        max_connections=64,
        # Waiting for a free connection is load, not an outage: it keeps its own bound.
        timeout=5,
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        # No silent retries: a failure marks the link down at once instead.
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    redis = Redis(connection_pool=pool)
    link = RedisLink(redis.ping, drop_idle=lambda: pool.disconnect(inuse_connections=False))
    return Stores(
        backend="redis",
        cache=FallbackCache(RedisCache(redis, namespace), link),
        pubsub=FallbackPubSub(RedisPubSub(redis, namespace), link),
        rate_limiter=FallbackRateLimiter(RedisRateLimiter(redis, namespace), link),
        redis=redis,
        link=link,
    )
