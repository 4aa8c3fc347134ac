"""Price ticks published as the engine publishes them, and subscriptions the hub has registered."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.market.events import PRICES_CHANNEL, PriceTick, encode_ticks
from domain.market.live import LiveHub
from persistence.stores import Stores
from tests.support.serving import until

PRICES = """
subscription Prices($symbols: [String!]) {
  prices(symbols: $symbols) { symbol price priceChange24h at }
}
"""


def symbol() -> str:
    return "L" + uuid.uuid4().hex[:8].upper()


def tick(name: str, price: str, change: str | None = "1.5") -> PriceTick:
    return PriceTick(
        name, Decimal(price), None if change is None else Decimal(change), datetime.now(UTC)
    )


async def publish_ticks(stores: Stores, *ticks: PriceTick) -> None:
    await stores.pubsub.publish(PRICES_CHANNEL, encode_ticks(list(ticks)))


async def subscribed(runtime, operation: Callable[[], Any], *, prices: int = 0, orders: int = 0):
    """Start a subscription and wait until the hub has registered it."""
    hub: LiveHub = runtime.services.live
    before = (hub.price_subscriber_count, hub.order_subscriber_count)
    result = await operation()
    await until(
        lambda: (
            (hub.price_subscriber_count, hub.order_subscriber_count)
            == (before[0] + prices, before[1] + orders)
        ),
        "the hub registered the subscription",
    )
    return result
