"""The engine and the two ways code gets a session: a short read, or one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

POOL_TIMEOUT_S = 30
"""How long a request waits for a pooled connection before it is an outage."""


def async_url(url: str) -> str:
    """The SQLAlchemy URL for asyncpg, whatever postgres URL flavour we were given."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError("not a PostgreSQL URL")


def sync_free_url(url: str) -> str:
    """The plain libpq URL (for asyncpg.connect and psql)."""
    return "postgresql://" + async_url(url).removeprefix("postgresql+asyncpg://")


def _replace_closed_connections(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Never hand out a pooled connection the server has closed.

    When PostgreSQL ends a backend (restart, failover, pg_terminate_backend) it closes
    the socket, and asyncpg marks the idle connection closed as soon as the event loop
    reads that: a free check, unlike a pre-ping's round trip. Raising DisconnectionError
    here makes the pool discard the connection and open another.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


async def _keep_session_state(connection: asyncpg.Connection) -> None:
    """What a driver connection needs on its way back to the pool: nothing beyond the
    rollback of an open transaction, which asyncpg does before this runs. The raw paths
    set no session state (no SET, LISTEN, advisory lock or cursor), so asyncpg's default
    reset, a round trip per checkout, would buy nothing: the session pool's own reset is
    the same rollback."""


class RawReads:
    """Reads straight through asyncpg on a pooled connection: for hot pages whose rows are
    turned into answers at once, where SQLAlchemy's statement and result layers cost more
    CPU than the query itself (~0.2 ms per statement). Autocommit, like ``Database.read``."""

    def __init__(
        self, connection: asyncpg.Connection, listeners: list[Callable[[str], None]]
    ) -> None:
        self._connection = connection
        self._listeners = listeners

    async def fetch(self, statement: str, *arguments: object) -> list[asyncpg.Record]:
        for listener in self._listeners:
            listener(statement)
        rows: list[asyncpg.Record] = await self._connection.fetch(statement, *arguments)
        return rows


class RawTransaction:
    """Statements inside one transaction, straight through a pooled connection's asyncpg
    driver: for the market order, whose nine statements cost ~5 ms of CPU through the
    session against under 1 ms here. asyncpg prepares each statement once per connection
    (its statement cache) and reuses it."""

    def __init__(
        self, connection: asyncpg.Connection, listeners: list[Callable[[str], None]]
    ) -> None:
        self._connection = connection
        self._listeners = listeners

    async def fetchrow(self, statement: str, *arguments: object) -> asyncpg.Record | None:
        for listener in self._listeners:
            listener(statement)
        row: asyncpg.Record | None = await self._connection.fetchrow(statement, *arguments)
        return row

    async def execute(self, statement: str, *arguments: object) -> None:
        for listener in self._listeners:
            listener(statement)
        await self._connection.execute(statement, *arguments)


class Database:
    """Owns the engine; hands out sessions that never outlive one unit of work.

    Strawberry resolves sibling fields concurrently, so a session is never shared
    between resolvers: each read and each transaction takes its own, briefly.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 20,
        connect_timeout_s: float = 5,
        command_timeout_s: float | None = 15,
        echo: bool = False,
    ) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=POOL_TIMEOUT_S,
            # A round trip per checkout is not needed: see _replace_closed_connections.
            pool_pre_ping=False,
            # An unreachable server fails a connect, and a server that stopped answering
            # fails a statement, within these instead of hanging the request.
            connect_args={"timeout": connect_timeout_s, "command_timeout": command_timeout_s},
            echo=echo,
        )
        event.listen(self.engine.sync_engine, "checkout", _replace_closed_connections)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.raw_statement_listeners: list[Callable[[str], None]] = []
        """Called with each statement sent through ``raw()`` (SQLAlchemy's own events never
        see those): statement counts, tests."""
        # Reads run in autocommit: one round trip per statement instead of three
        # (BEGIN, the query, ROLLBACK). Several reads that must agree use snapshot().
        self._reads = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            autoflush=False,
        )
        # The raw paths (token check, hot pages, the market order) check their connection
        # out of asyncpg's own pool: SQLAlchemy's checkout and connection wrapper cost
        # ~0.15 ms of CPU per use, as much as a short statement. Same size and timeouts as
        # the session pool; it opens connections only as they are needed.
        self._driver_url = sync_free_url(url)
        self._driver_settings = {
            "max_size": pool_size,
            "timeout": connect_timeout_s,
            "command_timeout": command_timeout_s,
        }
        self._driver_pool: asyncpg.Pool | None = None
        self._driver_pool_opening = asyncio.Lock()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads, each statement on its own; the connection goes back to the
        pool on exit."""
        async with self._reads() as session:
            yield session

    async def _drivers(self) -> asyncpg.Pool:
        pool = self._driver_pool
        if pool is not None:
            return pool
        async with self._driver_pool_opening:
            if self._driver_pool is None:
                # min_size=0: opening the pool connects nothing, so an unreachable server
                # fails the first checkout (an outage), not the process start.
                self._driver_pool = await asyncpg.create_pool(
                    self._driver_url,
                    min_size=0,
                    reset=_keep_session_state,
                    **self._driver_settings,
                )
            return self._driver_pool

    @asynccontextmanager
    async def raw(self) -> AsyncIterator[RawReads]:
        """A pooled asyncpg connection, for reads only, back to the pool on exit.
        No transaction is begun: each statement stands alone."""
        pool = await self._drivers()
        # A closed connection (restart, pg_terminate_backend) is replaced on checkout.
        async with pool.acquire(timeout=POOL_TIMEOUT_S) as connection:
            yield RawReads(connection, self.raw_statement_listeners)

    @asynccontextmanager
    async def raw_transaction(self) -> AsyncIterator[RawTransaction]:
        """One transaction on a pooled asyncpg connection: committed on exit, rolled back
        on any exception, like ``transaction``."""
        pool = await self._drivers()
        async with (
            pool.acquire(timeout=POOL_TIMEOUT_S) as connection,
            connection.transaction(),
        ):
            yield RawTransaction(connection, self.raw_statement_listeners)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One database transaction: committed on exit, rolled back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A read-only REPEATABLE READ transaction: every read sees the same instant."""
        async with self._sessions() as session:
            # Asking for the connection begins the transaction with these options.
            await session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
            try:
                yield session
            finally:
                session.expunge_all()  # detached objects keep what they loaded
                await session.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()
        pool, self._driver_pool = self._driver_pool, None
        if pool is not None:
            try:
                # Requests have finished by now (the server drains before shutdown);
                # a connection still out after this is closed under its holder.
                await asyncio.wait_for(pool.close(), timeout=5)
            except TimeoutError:
                pool.terminate()
