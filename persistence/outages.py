"""Which failures mean "a dependency is down", as opposed to a bug or a refused request.

Clients get SERVICE_UNAVAILABLE with a retry hint for these (HTTP 503), and
INTERNAL_SERVER_ERROR for anything else unexpected.
"""

from __future__ import annotations

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

RETRY_AFTER_S = 5
"""What clients are told to wait before they try again."""
UNAVAILABLE_MESSAGE = "A service this needs is unavailable; try again shortly."

_OUTAGES: tuple[type[BaseException], ...] = (
    # The server went away, restarts, refuses connections or has none left.
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # No pooled connection came free in time.
    PoolTimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
    # Refused, reset or unreachable sockets; connect and statement timeouts.
    OSError,
    TimeoutError,
)


def is_outage(error: BaseException) -> bool:
    """True when ``error``, or an error it was raised from, says a dependency is down."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _OUTAGES):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            orig = current.orig
            pending.append(orig if isinstance(orig, BaseException) else None)
        pending.extend((current.__cause__, current.__context__))
    return False
