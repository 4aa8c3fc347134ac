"""The CoinGecko price feed: an adapter behind the domain's PriceFeed port
(domain/market/feeds.py), over CoinGecko's public markets API."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from decimal import Decimal

import httpx

from domain.market.feeds import PRICE_PLACES, Quote

log = logging.getLogger(__name__)


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
