"""Brute-force protection for sign-in: failed attempts counted per username and per address.

After ``max_failures`` failures for one username within ``window`` seconds, that
username's sign-ins are refused for ``lockout`` seconds, whatever the password;
an address gets a higher threshold, since many people may share one.
"""

from __future__ import annotations

from dataclasses import dataclass

from persistence.stores.rate_limits import RateLimiter


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


class LoginGuard:
    def __init__(self, limiter: RateLimiter, policy: LoginPolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    @staticmethod
    def _scopes(username: str, client_ip: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()[:254]}", f"ip:{client_ip}"

    async def check(self, username: str, client_ip: str) -> None:
        """Raise LoginThrottled while the username or the address is locked out."""
        for scope in self._scopes(username, client_ip):
            remaining = await self._limiter.blocked_for(f"login:{scope}")
            if remaining > 0:
                raise LoginThrottled(remaining)

    async def failed(self, username: str, client_ip: str) -> None:
        user, address = self._scopes(username, client_ip)
        for scope, threshold in (
            (user, self._policy.max_failures),
            (address, self._policy.max_failures_per_ip),
        ):
            counted = await self._limiter.hit(
                f"login-failures:{scope}", limit=threshold - 1, window=self._policy.window
            )
            if not counted.allowed:
                await self._limiter.block(f"login:{scope}", self._policy.lockout)
                await self._limiter.reset(f"login-failures:{scope}")

    async def succeeded(self, username: str, client_ip: str) -> None:
        user, _ = self._scopes(username, client_ip)
        await self._limiter.reset(f"login-failures:{user}")
