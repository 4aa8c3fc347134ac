"""The price engine: each tick moves prices, records them, publishes them, runs the
matcher's pass (expiry, stop triggers, limit fills) and fires price alerts.

Exactly one process runs it at a time (see supervisor.py). Per tick it issues
one batched UPDATE of the moved assets, appends history every
``history_interval``, publishes one message for the whole tick, and hands the
new prices to the matcher's pass (which runs on every tick, moved or not, so
that orders expire on time), then to the alert step (alerts.py). Reference prices
(24 h, 7 d, 30 d ago) and the 24 h high/low come from the recorded history,
refreshed every ``refresh_interval`` and carried forward in memory between
refreshes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from domain.clock import utc_now
from domain.market.alerts import AlertFiring
from domain.market.events import PRICES_CHANGE_PLACES, PRICES_CHANNEL, PriceTick, encode_ticks
from domain.market.feeds import PriceFeed, Quote
from domain.market.matching import Matcher
from persistence.database import Database
from persistence.outages import is_outage
from persistence.repositories.market import MarketRepository, PriceWrite
from persistence.stores.pubsub import PubSub

log = logging.getLogger(__name__)

DAY, WEEK, MONTH = timedelta(days=1), timedelta(days=7), timedelta(days=30)


def percent_change(reference: Decimal | None, price: Decimal) -> Decimal | None:
    if reference is None or reference == 0:
        return None
    return ((price - reference) / reference * 100).quantize(PRICES_CHANGE_PLACES)


@dataclass(slots=True)
class _Track:
    """One asset's quote plus what its daily figures are computed from."""

    quote: Quote
    reference_24h: Decimal | None = None
    reference_7d: Decimal | None = None
    reference_30d: Decimal | None = None
    high_24h: Decimal = Decimal(0)
    low_24h: Decimal = Decimal(0)


@dataclass
class EngineTiming:
    tick: timedelta = timedelta(seconds=1)
    history_interval: timedelta = timedelta(seconds=60)
    refresh_interval: timedelta = timedelta(seconds=60)
    maintenance_interval: timedelta = timedelta(minutes=10)


@dataclass
class PriceEngine:
    db: Database
    feed: PriceFeed
    pubsub: PubSub
    matcher: Matcher
    timing: EngineTiming = field(default_factory=EngineTiming)
    alerts: AlertFiring | None = None
    """Fires the price alerts each tick's prices meet (None: no alert step)."""
    clock: Callable[[], datetime] = utc_now
    _tracks: dict[int, _Track] = field(default_factory=dict)
    _refreshed_at: datetime | None = None
    _history_at: datetime | None = None
    _maintained_at: datetime | None = None

    async def tick(self) -> list[PriceTick]:
        now = self.clock()
        if self._refreshed_at is None or now - self._refreshed_at >= self.timing.refresh_interval:
            await self._refresh(now)
        moved = await self.feed.next_prices([t.quote for t in self._tracks.values()], now)
        moved = {a: p for a, p in moved.items() if a in self._tracks}
        writes, ticks = [], []
        for asset_id, price in moved.items():
            track = self._tracks[asset_id]
            track.quote.price = price
            track.high_24h = max(track.high_24h, price)
            track.low_24h = min(track.low_24h, price)
            change_24h = percent_change(track.reference_24h, price)
            writes.append(
                PriceWrite(
                    asset_id,
                    price,
                    change_24h,
                    percent_change(track.reference_7d, price),
                    percent_change(track.reference_30d, price),
                    track.high_24h,
                    track.low_24h,
                )
            )
            ticks.append(PriceTick(track.quote.symbol, price, change_24h, now))
        record_history = (
            self._history_at is None or now - self._history_at >= self.timing.history_interval
        )
        async with self.db.transaction() as session:
            market = MarketRepository(session)
            await market.write_prices(writes, now)
            if record_history:
                await market.append_history(
                    [(a, now, t.quote.price) for a, t in self._tracks.items()]
                )
        if record_history:
            self._history_at = now
        if ticks:
            await self.pubsub.publish(PRICES_CHANNEL, encode_ticks(ticks))
        await self.matcher.run(moved)
        if ticks and self.alerts is not None:
            await self.alerts.fire(moved)
        if (
            self._maintained_at is None
            or now - self._maintained_at >= self.timing.maintenance_interval
        ):
            await self._maintain(now)
        return ticks

    async def _refresh(self, now: datetime) -> None:
        async with self.db.read() as session:
            market = MarketRepository(session)
            assets = await market.tradable()
            day_ago = await market.prices_at(now - DAY)
            week_ago = await market.prices_at(now - WEEK)
            month_ago = await market.prices_at(now - MONTH)
            extremes = await market.extremes_since(now - DAY)
        tracks: dict[int, _Track] = {}
        for asset in assets:
            known = self._tracks.get(asset.id)
            # The engine's own price wins over the row it wrote a moment ago.
            price = known.quote.price if known is not None else asset.price
            high, low = extremes.get(asset.id, (price, price))
            tracks[asset.id] = _Track(
                quote=Quote(asset.id, asset.symbol, price, asset.volatility),
                reference_24h=day_ago.get(asset.id),
                reference_7d=week_ago.get(asset.id),
                reference_30d=month_ago.get(asset.id),
                high_24h=max(high, price),
                low_24h=min(low, price),
            )
        self._tracks = tracks
        self._refreshed_at = now

    async def _maintain(self, now: datetime) -> None:
        async with self.db.transaction() as session:
            removed = await MarketRepository(session).thin_history(now)
        self._maintained_at = now
        if removed:
            log.info("price history: thinned %d old points", removed)

    async def run(self, keep_going: Callable[[], Awaitable[bool]]) -> None:
        """Tick every ``timing.tick`` while ``await keep_going()`` is true.

        A slow tick is not made up for: the next one starts on the next beat.
        """
        interval = self.timing.tick.total_seconds()
        deadline = time.monotonic()
        while await keep_going():
            try:
                await self.tick()
            except Exception as error:
                if is_outage(error):
                    log.warning("price tick failed: the database is unreachable")
                else:
                    log.exception("price tick failed")
            deadline += interval
            delay = deadline - time.monotonic()
            if delay < 0:
                deadline, delay = time.monotonic(), 0
            await asyncio.sleep(delay)
