"""The engine and the two ways code gets a session: a short read, or one transaction."""

from __future__ import annotations

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
from sqlalchemy.util import greenlet_spawn


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
            pool_timeout=30,
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

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads, each statement on its own; the connection goes back to the
        pool on exit."""
        async with self._reads() as session:
            yield session

    @asynccontextmanager
    async def _driver(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection's asyncpg driver, from the same pool as the sessions (same
        size, timeouts and closed-connection check), without the engine's Connection:
        ``engine.connect()`` + ``get_raw_connection()`` cost ~0.2 ms of CPU per use, about
        what asyncpg's own pool costs plus SQLAlchemy's Connection wrapper; the pool
        checkout alone costs what asyncpg's pool does, and keeps one pool to size."""
        pooled = await self.engine.raw_connection()
        try:
            yield pooled.driver_connection
        finally:
            # Back to the pool; its reset-on-return rollback sends nothing here (the
            # adapter began no transaction: the driver's own context managed it).
            await greenlet_spawn(pooled.close)

    @asynccontextmanager
    async def raw(self) -> AsyncIterator[RawReads]:
        """A pooled connection's asyncpg driver, for reads only, back to the pool on exit.
        No transaction is begun: each statement stands alone."""
        async with self._driver() as driver:
            yield RawReads(driver, self.raw_statement_listeners)

    @asynccontextmanager
    async def raw_transaction(self) -> AsyncIterator[RawTransaction]:
        """One transaction on a pooled connection's asyncpg driver: committed on exit,
        rolled back on any exception, like ``transaction``."""
        async with self._driver() as driver, driver.transaction():
            yield RawTransaction(driver, self.raw_statement_listeners)

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
