"""Where prices come from: the PriceFeed port and the seeded simulation (the default).

The feed of real prices, CoinGecko's public markets API, is an adapter at the edge
(web/adapters/coingecko.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

YEAR_SECONDS = 365 * 24 * 3600
PRICE_PLACES = Decimal("1e-10")


@dataclass(slots=True)
class Quote:
    """What the engine knows of one tradable asset between two ticks."""

    asset_id: int
    symbol: str
    price: Decimal
    volatility: Decimal


class PriceFeed(Protocol):
    name: str

    async def next_prices(self, quotes: list[Quote], now: datetime) -> dict[int, Decimal]:
        """New prices by asset id; an asset left out keeps its price."""
        ...

    async def close(self) -> None: ...


def to_price(value: float) -> Decimal:
    """Ten significant digits, at most ten decimal places, never zero."""
    exact = Decimal(f"{value:.10g}").quantize(PRICE_PLACES)
    return max(exact, PRICE_PLACES)


class SimulatedFeed:
    """A geometric random walk per asset, with the asset's own annualised volatility.

    Deterministic: the same seed, clock and asset list give the same prices.
    """

    name = "simulated"

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self._last: datetime | None = None

    async def next_prices(self, quotes: list[Quote], now: datetime) -> dict[int, Decimal]:
        elapsed = 1.0 if self._last is None else (now - self._last).total_seconds()
        self._last = now
        if elapsed <= 0:
            return {}
        dt = elapsed / YEAR_SECONDS
        prices: dict[int, Decimal] = {}
        for quote in sorted(quotes, key=lambda q: q.symbol):
            sigma = float(quote.volatility)
            shock = self._rng.gauss(0.0, 1.0)
            factor = math.exp(-0.5 * sigma * sigma * dt + sigma * math.sqrt(dt) * shock)
            prices[quote.asset_id] = to_price(float(quote.price) * factor)
        return prices

    async def close(self) -> None:
        return None
