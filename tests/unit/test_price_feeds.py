"""The price feeds on their own: the simulated walk is deterministic; CoinGecko's recorded
answer is read, and its outage keeps the last prices and is logged once."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from decimal import Decimal

import httpx

from domain.market.feeds import Quote, SimulatedFeed
from tests.support.paths import TESTS
from tests.support.prices import T0
from web.adapters.coingecko import CoinGeckoFeed

RECORDED = TESTS / "data" / "coingecko_markets.json"


async def test_simulated_feed_is_deterministic():
    quotes = [
        Quote(1, "AAA", Decimal("100"), Decimal("0.8")),
        Quote(2, "BBB", Decimal("0.5"), Decimal("1.2")),
    ]

    async def walk(seed):
        feed, path = SimulatedFeed(seed), []
        for step in range(5):
            prices = await feed.next_prices(quotes, T0 + timedelta(seconds=step))
            path.append(prices)
            for quote in quotes:
                quote.price = prices.get(quote.asset_id, quote.price)
        for quote, start in zip(quotes, ("100", "0.5"), strict=True):
            quote.price = Decimal(start)
        return path

    first, again, other = await walk(42), await walk(42), await walk(43)
    assert first == again
    assert first != other
    assert all(
        price > 0 and price.as_tuple().exponent >= -10 for step in first for price in step.values()
    )


def recorded_transport(calls: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=RECORDED.read_bytes())

    return httpx.MockTransport(answer)


async def test_coingecko_feed_reads_recorded_markets():
    calls: list[httpx.Request] = []
    feed = CoinGeckoFeed(client=httpx.AsyncClient(transport=recorded_transport(calls)))
    quotes = [
        Quote(1, "BTC", Decimal("90000"), Decimal("0.5")),
        Quote(2, "ETH", Decimal("3000"), Decimal("0.7")),
        Quote(3, "SHIB", Decimal("0.00001"), Decimal("1")),
        Quote(4, "XYZ", Decimal("1"), Decimal("1")),
    ]
    prices = await feed.next_prices(quotes, T0)
    assert prices == {1: Decimal("96123.45"), 2: Decimal("3301.07"), 3: Decimal("0.00001234")}
    assert calls[0].url.params["vs_currency"] == "usd"
    assert calls[0].url.params["symbols"] == "btc,eth,shib,xyz"
    # Until the poll interval has passed, nothing is fetched and nothing moves.
    assert await feed.next_prices(quotes, T0 + timedelta(seconds=30)) == {}
    assert len(calls) == 1
    await feed.close()


async def test_coingecko_outage_keeps_last_prices_and_logs(caplog):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network unreachable", request=request)

    feed = CoinGeckoFeed(client=httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    quotes = [Quote(1, "BTC", Decimal("90000"), Decimal("0.5"))]
    with caplog.at_level(logging.WARNING):
        assert await feed.next_prices(quotes, T0) == {}
        assert await feed.next_prices(quotes, T0 + timedelta(minutes=2)) == {}
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per poll
    await feed.close()


def test_recorded_response_is_valid_json():
    assert json.loads(RECORDED.read_text())[0]["symbol"] == "btc"
