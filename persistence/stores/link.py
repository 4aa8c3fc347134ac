"""Whether Redis answers, as every store of one process sees it.

The first command that fails for want of Redis marks the link down; from then
on the stores serve from their in-process stand-ins without trying Redis, and
one background task drops the idle pooled connections (they lead to the server
that went away) and pings Redis with exponential backoff until it answers, then
marks the link up again and the shared mode resumes by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("cnop.redis")

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    TimeoutError,
    OSError,
)
"""What a command raises when Redis is unreachable (not when it refuses the command)."""
POOL_EXHAUSTED = "No connection available."
"""redis-py's ConnectionError when no pooled connection came free in time."""


class RedisLink:
    def __init__(
        self,
        ping: Callable[[], Awaitable[object]],
        *,
        drop_idle: Callable[[], Awaitable[object]] | None = None,
        retry_initial_s: float = 0.25,
        retry_max_s: float = 5.0,
    ) -> None:
        self._ping = ping
        self._drop_idle = drop_idle
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self._up = asyncio.Event()
        self._up.set()
        self._down_since: float | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def up(self) -> bool:
        return self._up.is_set()

    @property
    def down_for_s(self) -> float:
        """Seconds since the link went down; 0 while it is up."""
        return 0.0 if self._down_since is None else time.monotonic() - self._down_since

    async def wait_up(self) -> None:
        await self._up.wait()

    def mark_down(self, error: BaseException) -> None:
        if not self.up or self._closed:
            return
        if str(error) == POOL_EXHAUSTED:
            return  # busy, not down: that one call is answered in-process
        self._up.clear()
        self._down_since = time.monotonic()
        log.warning(
            "Redis unreachable (%s: %s): serving from in-process stores until it answers",
            type(error).__name__,
            error,
        )
        self._reconnecting = asyncio.create_task(self._reconnect(), name="redis-reconnect")

    async def _reconnect(self) -> None:
        if self._drop_idle is not None:
            # Pooled connections to the server that went away would each fail once
            # after it is back, and take the link down again.
            with contextlib.suppress(Exception):
                await self._drop_idle()
        delay = self._retry_initial_s
        while not self._closed:
            await asyncio.sleep(delay)
            try:
                await self._ping()
            except Exception as error:
                log.debug("Redis still unreachable (%s)", type(error).__name__)
                delay = min(delay * 2, self._retry_max_s)
                continue
            log.warning("Redis answers again after %.1f s: shared mode resumed", self.down_for_s)
            self._down_since = None
            self._up.set()
            return

    async def close(self) -> None:
        self._closed = True
        task, self._reconnecting = self._reconnecting, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
