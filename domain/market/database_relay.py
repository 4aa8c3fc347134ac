"""Price ticks read from PostgreSQL, for a process that Redis no longer reaches.

Only the process running the price engine makes ticks; the others hear them
through Redis. While this process's Redis link is down and it does not run the
engine itself, this reads the prices the engine wrote since the last look, once
per tick interval, and hands them to this process's own subscribers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from domain.market.background import stop
from domain.market.events import PRICES_CHANNEL, PriceTick, encode_ticks
from persistence.database import Database
from persistence.repositories.market import MarketRepository

log = logging.getLogger(__name__)


class LocalBus(Protocol):
    @property
    def relayed(self) -> bool:
        """True while messages travel between processes."""
        ...

    async def publish_locally(self, channel: str, message: str) -> None: ...


class DatabasePriceRelay:
    def __init__(
        self,
        db: Database,
        bus: LocalBus,
        *,
        leading: Callable[[], bool],
        interval_s: float,
    ) -> None:
        self._db = db
        self._bus = bus
        self._leading = leading
        self._interval_s = interval_s
        self._seen_until: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="database-price-relay")

    async def close(self) -> None:
        await stop(self._task)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            if self._bus.relayed or self._leading():
                self._seen_until = None
                continue
            try:
                await self.relay_once()
            except Exception as error:
                log.warning("prices from the database: read failed (%s)", type(error).__name__)

    async def relay_once(self) -> int:
        """Publishes what moved since the last call (every price on the first); returns
        how many ticks."""
        async with self._db.read() as session:
            moved = await MarketRepository(session).moved_since(self._seen_until)
        if not moved:
            return 0
        self._seen_until = max(at for _, _, _, at in moved)
        ticks = [PriceTick(symbol, price, change, at) for symbol, price, change, at in moved]
        await self._bus.publish_locally(PRICES_CHANNEL, encode_ticks(ticks))
        return len(ticks)
