"""A PostgreSQL session-level advisory lock held on a dedicated connection.

Whoever holds it is the leader; when that process dies its connection closes
and PostgreSQL releases the lock at once, so another process can take over.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class AdvisoryLock:
    def __init__(self, engine: AsyncEngine, key: int) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = await self._engine.connect()
        try:
            # Autocommit: a leader holding the lock for days must not hold a transaction too.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            acquired = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
        except BaseException:
            await connection.close()
            raise
        if not acquired:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        """False once the connection holding the lock is gone (and with it the lock)."""
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
        except (DBAPIError, InterfaceError, OperationalError, OSError):
            log.warning("lost the connection holding advisory lock %d", self._key)
            await self._drop(invalidate=True)
            return False
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.scalar(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
        except Exception:
            # The connection is broken, or was left mid-statement by a cancelled
            # task (SQLAlchemy then refuses it with PendingRollbackError). Pooled
            # again it would keep the lock; closed for good, its session ends and
            # PostgreSQL releases the lock with it.
            await self._drop(invalidate=True)
            return
        await self._drop()

    async def _drop(self, *, invalidate: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            if invalidate:
                await connection.invalidate()
            await connection.close()
