"""Where prices come from: a seeded simulation (default) or CoinGecko's public markets API."""

from __future__ import annotations

import json
import logging
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

import httpx

log = logging.getLogger(__name__)

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


class CoinGeckoFeed:
    """Polls CoinGecko's /coins/markets; between polls, and when it cannot be reached,
    every asset keeps its last known price (logged once per outage)."""

    name = "coingecko"
    URL = "https://api.coingecko.com/api/v3/coins/markets"

    def __init__(
        self,
        *,
        poll_interval: timedelta = timedelta(seconds=60),
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self._poll_interval = poll_interval
        self._client = client or httpx.AsyncClient(timeout=timeout_s)
        self._next_poll: datetime | None = None
        self._reachable = True

    async def next_prices(self, quotes: list[Quote], now: datetime) -> dict[int, Decimal]:
        if self._next_poll is not None and now < self._next_poll:
            return {}
        self._next_poll = now + self._poll_interval
        try:
            markets = await self._fetch([q.symbol for q in quotes])
        except (httpx.HTTPError, ValueError, TypeError, AttributeError) as error:
            if self._reachable:
                log.warning("CoinGecko unreachable (%s); keeping the last known prices", error)
            self._reachable = False
            return {}
        if not self._reachable:
            log.info("CoinGecko reachable again")
        self._reachable = True
        return {
            quote.asset_id: markets[quote.symbol] for quote in quotes if quote.symbol in markets
        }

    async def _fetch(self, symbols: list[str]) -> dict[str, Decimal]:
        response = await self._client.get(
            self.URL,
            params={
                "vs_currency": "usd",
                "symbols": ",".join(s.lower() for s in symbols),
                "include_tokens": "top",
                "per_page": 250,
            },
        )
        response.raise_for_status()
        prices: dict[str, Decimal] = {}
        # Parsed as Decimal: the digits CoinGecko sent, never rounded through a float.
        for market in json.loads(response.text, parse_float=Decimal, parse_int=Decimal):
            symbol = str(market.get("symbol", "")).upper()
            price = market.get("current_price")
            # The first entry of a symbol is its largest market cap: keep that one.
            if symbol and symbol not in prices and isinstance(price, Decimal) and price > 0:
                prices[symbol] = max(price.quantize(PRICE_PLACES), PRICE_PLACES)
        return prices

    async def close(self) -> None:
        await self._client.aclose()
