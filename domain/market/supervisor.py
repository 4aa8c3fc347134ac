"""Runs the price engine in exactly one of the server processes sharing a database."""

from __future__ import annotations

import asyncio
import logging

from domain.market.background import stop
from domain.market.engine import PriceEngine
from persistence.advisory_lock import AdvisoryLock
from persistence.outages import is_outage

log = logging.getLogger(__name__)

ENGINE_LOCK_KEY = 0x636E6F70  # "cnop": one key per database, shared by every process


class MarketSupervisor:
    """Every process runs one; the one holding the advisory lock runs the engine.

    The others retry every ``retry_seconds``: when the leader dies, its lock goes
    with its connection and one of them takes over within that time.
    """

    def __init__(self, lock: AdvisoryLock, engine: PriceEngine, retry_seconds: float = 2.0) -> None:
        self._lock = lock
        self._engine = engine
        self._retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self._lock.held

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name="market-supervisor")

    async def close(self) -> None:
        await stop(self._task)
        await self._lock.release()
        await self._engine.feed.close()

    async def _supervise(self) -> None:
        while True:
            try:
                if await self._lock.try_acquire():
                    log.info(
                        "this process now runs the price engine (%s feed)", self._engine.feed.name
                    )
                    await self._engine.run(self._lock.still_held)
                    log.warning("this process no longer runs the price engine")
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_outage(error):
                    log.warning(
                        "price engine: the database is unreachable (%s); retrying in %.0f s",
                        type(error).__name__,
                        self._retry_seconds,
                    )
                else:
                    log.exception("price engine supervisor failed; retrying")
                await self._lock.release()
            await asyncio.sleep(self._retry_seconds)
