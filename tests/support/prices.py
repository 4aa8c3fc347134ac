"""A feed that moves only a test's own assets, a hand-driven clock, and an engine over both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.market.engine import EngineTiming, PriceEngine
from domain.market.feeds import SimulatedFeed
from domain.market.matching import Matcher

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class OnlyTheseFeed:
    """Moves only the test's own assets, so the shared catalogue keeps its prices."""

    name = "test"

    def __init__(self, symbols: set[str], inner=None, fixed: dict[str, Decimal] | None = None):
        self.symbols = symbols
        self.inner = inner or SimulatedFeed(seed=7)
        self.fixed = fixed

    async def next_prices(self, quotes, now):
        mine = [q for q in quotes if q.symbol in self.symbols]
        if self.fixed is not None:
            return {q.asset_id: self.fixed[q.symbol] for q in mine if q.symbol in self.fixed}
        return await self.inner.next_prices(mine, now)

    async def close(self):
        return None


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def engine_for(runtime, feed, clock, pubsub=None):
    return PriceEngine(
        db=runtime.services.db,
        feed=feed,
        pubsub=pubsub or runtime.services.stores.pubsub,
        matcher=Matcher(runtime.services.db, runtime.services.orders),
        timing=EngineTiming(history_interval=timedelta(seconds=60)),
        clock=clock,
    )
