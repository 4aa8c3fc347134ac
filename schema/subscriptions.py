"""Live subscriptions over graphql-transport-ws: prices, the user's order updates and alerts."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.market.events import PriceTick as PriceTickEvent
from domain.market.live import MAX_PRICE_SYMBOLS
from resolvers import live as resolve
from resolvers.context import Info
from schema.alerts import PriceAlert, build_alert
from schema.common import from_attributes, given
from schema.trading import Order, build_order


@strawberry.type
class PriceTick:
    symbol: str
    price: Decimal
    price_change_24h: Decimal | None
    at: datetime
    shared_executions: strawberry.Private[dict[Any, Any]] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )
    """Results of this tick per operation, shared by its subscribers (schema.broadcast)."""

    @classmethod
    def from_event(cls, tick: PriceTickEvent) -> PriceTick:
        return from_attributes(cls, tick)


class _SharedTicks:
    """One PriceTick object per tick for every subscriber in the process.

    The hub hands each subscriber the same tick event; converting it here once
    lets the subscribers that run the same document share one execution.
    Holds only the latest tick of each symbol.
    """

    def __init__(self) -> None:
        self._latest: dict[str, tuple[PriceTickEvent, PriceTick]] = {}

    def of(self, event: PriceTickEvent) -> PriceTick:
        latest = self._latest.get(event.symbol)
        if latest is not None and latest[0] is event:
            return latest[1]
        tick = PriceTick.from_event(event)
        self._latest[event.symbol] = (event, tick)
        return tick


_shared_ticks = _SharedTicks()


class PriceTickBatch(list[PriceTick]):
    """The prices one event of ``priceTicks`` carries, and the executions of that event
    its subscribers share (schema.broadcast reads ``shared_executions`` on the event)."""

    __slots__ = ("events", "shared_executions")

    def __init__(self, events: list[PriceTickEvent]) -> None:
        super().__init__(_shared_ticks.of(event) for event in events)
        self.events = events
        self.shared_executions: dict[Any, Any] = {}


class _SharedBatches:
    """One PriceTickBatch per distinct list of tick events, for every subscriber.

    Subscribers that read promptly get the same events from the hub for a tick (all of
    them, or those of the same symbols): handing them one batch object lets them share
    one execution of it, as prices' subscribers share a PriceTick. A subscriber that
    fell behind gets a list of its own, executed for it alone.
    """

    KEPT = 256

    def __init__(self) -> None:
        self._batches: OrderedDict[tuple[int, ...], PriceTickBatch] = OrderedDict()

    def of(self, events: list[PriceTickEvent]) -> PriceTickBatch:
        key = tuple(map(id, events))
        batch = self._batches.get(key)
        # The events are kept with the batch: an id may be reused once its event is freed.
        if batch is not None and all(a is b for a, b in zip(batch.events, events, strict=True)):
            return batch
        batch = self._batches[key] = PriceTickBatch(events)
        if len(self._batches) > self.KEPT:
            self._batches.popitem(last=False)
        return batch


_shared_batches = _SharedBatches()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "Live prices, public. Every tradable asset when symbols is null; otherwise at most "
            f"{MAX_PRICE_SYMBOLS} symbols (more is VALIDATION_FAILED)."
        )
    )
    async def prices(
        self, info: Info, symbols: list[str] | None = strawberry.UNSET
    ) -> AsyncGenerator[PriceTick, None]:
        async with aclosing(resolve.price_ticks(info.context, given(symbols))) as ticks:
            async for tick in ticks:
                yield _shared_ticks.of(tick)

    @strawberry.subscription(
        description=(
            "Live prices as one message per market tick: every price that changed since the "
            "last message, the newest of each symbol. Public; symbols as for prices. For "
            "many symbols: one message per tick, where prices sends one per symbol."
        )
    )
    async def price_ticks(
        self, info: Info, symbols: list[str] | None = strawberry.UNSET
    ) -> AsyncGenerator[list[PriceTick], None]:
        async with aclosing(resolve.price_ticks(info.context, given(symbols))) as ticks:
            while True:
                try:
                    events = await ticks.next_batch()
                except StopAsyncIteration:
                    return
                yield _shared_batches.of(events)

    @strawberry.subscription(
        description=(
            "The signed-in user's orders as they change state (a limit order filling or "
            "being cancelled). Requires a token."
        )
    )
    async def order_updates(self, info: Info) -> AsyncGenerator[Order, None]:
        async with aclosing(resolve.order_updates(info.context)) as orders:
            async for order in orders:
                yield await build_order(info, order)

    @strawberry.subscription(
        description="The signed-in user's price alerts as they fire. Requires a token."
    )
    async def price_alerts(self, info: Info) -> AsyncGenerator[PriceAlert, None]:
        async with aclosing(resolve.price_alerts(info.context)) as alerts:
            async for alert in alerts:
                yield await build_alert(info, alert)
