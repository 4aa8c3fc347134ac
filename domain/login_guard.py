"""Brute-force protection for sign-in, without letting anyone lock another person out.

Three counts, each within ``window`` seconds:

- per username *and* address: after ``max_failures`` failures that pair is refused
  for ``lockout`` seconds. An attacker locks only their own address out of the
  victim's account; the victim, signing in from anywhere else, is not affected.
- per address: after ``max_failures_per_ip`` failures, whatever the usernames, the
  address is refused for ``lockout`` seconds (credential stuffing from one place).
- per username, from every address: after ``backoff_after`` failures, the username
  takes one attempt per delay, the delay doubling with each further failure up to
  ``backoff_max`` seconds. A slow-down for guessing spread over many addresses,
  never a lock: whoever tries after the delay is heard. One address cannot even
  start it, as ``backoff_after`` is well above what one address may fail.

An attempt is counted *before* its password is checked (one atomic increment per
count: Redis INCRBY in a MULTI, or an in-process update with no await in between),
so that parallel attempts cannot all slip past the check; a success gives its
attempt back. A refused attempt is refused before any password hash is computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from persistence.stores.rate_limits import RateLimiter

_UNCAPPED = 2**62
"""The limit passed when a count is only read: never reached, so ``limit - remaining``
is the count itself."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int = 5
    max_failures_per_ip: int = 50
    window: int = 900
    lockout: int = 900
    backoff_after: int = 20
    backoff_max: int = 60

    def backoff(self, failures: int) -> int:
        """Seconds between two attempts at a username after ``failures`` failures (0: none)."""
        if failures < self.backoff_after:
            return 0
        steps = min(failures - self.backoff_after, 16)
        return int(min(2**steps, self.backoff_max))


@dataclass(frozen=True, slots=True)
class _Keys:
    user: str
    pair: str
    address: str


class LoginGuard:
    def __init__(self, limiter: RateLimiter, policy: LoginPolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    @staticmethod
    def _keys(username: str, client_ip: str) -> _Keys:
        name = username.strip().lower()[:254]
        return _Keys(f"user:{name}", f"pair:{client_ip}|{name}", f"ip:{client_ip}")

    async def _count(self, key: str, cost: int) -> int:
        counted = await self._limiter.hit(
            f"login-failures:{key}", limit=_UNCAPPED, window=self._policy.window, cost=cost
        )
        return counted.limit - counted.remaining

    async def _reserve(self, key: str, limit: int) -> None:
        """Count one attempt at ``key``; past ``limit``, lock ``key`` out and refuse."""
        counted = await self._limiter.hit(
            f"login-failures:{key}", limit=limit, window=self._policy.window
        )
        if not counted.allowed:
            await self._limiter.block(f"login:{key}", self._policy.lockout)
            await self._limiter.reset(f"login-failures:{key}")
            raise LoginThrottled(self._policy.lockout)

    async def attempt(self, username: str, client_ip: str) -> None:
        """Admit one sign-in attempt, counted as a failure until ``succeeded`` says otherwise.

        Raises LoginThrottled, with nothing counted, while the pair or the address is
        locked out, or while the username's back-off delay runs.
        """
        keys = self._keys(username, client_ip)
        for key in (keys.pair, keys.address):
            remaining = await self._limiter.blocked_for(f"login:{key}")
            if remaining > 0:
                raise LoginThrottled(remaining)
        await self._reserve(keys.pair, self._policy.max_failures)
        try:
            await self._reserve(keys.address, self._policy.max_failures_per_ip)
        except LoginThrottled:
            await self._count(keys.pair, -1)
            raise
        delay = self._policy.backoff(await self._count(keys.user, 0))
        if delay:
            # One attempt per delay at this username, from any address: the first one
            # in a window passes, the others are told when the next window opens.
            gate = await self._limiter.hit(f"login-gate:{keys.user}", limit=1, window=delay)
            if not gate.allowed:
                await self._count(keys.pair, -1)
                await self._count(keys.address, -1)
                raise LoginThrottled(gate.retry_after)

    async def failed(self, username: str, client_ip: str) -> None:
        """The admitted attempt failed: it stays counted, and counts against the username."""
        await self._count(self._keys(username, client_ip).user, 1)

    async def succeeded(self, username: str, client_ip: str) -> None:
        """The admitted attempt succeeded: this address's failures at this name are cleared.

        The username's count across addresses is left to expire: signing in must not
        hand someone guessing from elsewhere a fresh set of fast attempts.
        """
        keys = self._keys(username, client_ip)
        await self._limiter.reset(f"login-failures:{keys.pair}")
        await self._count(keys.address, -1)
