"""Revoked tokens: single tokens (logout) and every token of a user issued before an instant."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


class TokenRevocations(Protocol):
    async def revoke_token(self, jti: str, *, expires_at: float) -> None:
        """Refuse the token with this id until it would have expired anyway (epoch seconds)."""

    async def revoke_user_tokens(self, user_id: int, *, issued_before: float, ttl: int) -> None:
        """Refuse every token of ``user_id`` issued before ``issued_before`` (epoch seconds)."""

    async def is_revoked(self, jti: str, user_id: int, issued_at: float) -> bool: ...


class MemoryTokenRevocations:
    def __init__(self) -> None:
        self._tokens: dict[str, float] = {}
        self._users: dict[int, float] = {}

    async def revoke_token(self, jti: str, *, expires_at: float) -> None:
        now = time.time()
        self._tokens = {k: v for k, v in self._tokens.items() if v > now}
        self._tokens[jti] = expires_at

    async def revoke_user_tokens(self, user_id: int, *, issued_before: float, ttl: int) -> None:
        self._users[user_id] = max(issued_before, self._users.get(user_id, 0.0))

    async def is_revoked(self, jti: str, user_id: int, issued_at: float) -> bool:
        if self._tokens.get(jti, 0.0) > time.time():
            return True
        return issued_at < self._users.get(user_id, 0.0)


RAISE_CUTOFF = """
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class RedisTokenRevocations:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:revoked"
        self._raise_cutoff = redis.register_script(RAISE_CUTOFF)

    async def revoke_token(self, jti: str, *, expires_at: float) -> None:
        ttl = max(1, int(expires_at - time.time()) + 1)
        await self._redis.set(f"{self._prefix}:jti:{jti}", "1", ex=ttl)

    async def revoke_user_tokens(self, user_id: int, *, issued_before: float, ttl: int) -> None:
        # Only ever moves the cut-off forward: a late, older change cannot unrevoke tokens.
        await self._raise_cutoff(
            keys=[f"{self._prefix}:user:{user_id}"], args=[repr(issued_before), ttl]
        )

    async def is_revoked(self, jti: str, user_id: int, issued_at: float) -> bool:
        token, user_cutoff = await self._redis.mget(
            f"{self._prefix}:jti:{jti}", f"{self._prefix}:user:{user_id}"
        )
        if token is not None:
            return True
        return user_cutoff is not None and issued_at < float(user_cutoff)
