"""Inputs that pick how much the server keeps or reads are bounded, and say so when refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.market.live import MAX_PRICE_SYMBOLS, LiveHub
from tests.support.live import PRICES, publish_ticks, subscribed, symbol, tick


async def test_prices_refuses_more_symbols_than_the_cap(runtime, ws_client):
    hub: LiveHub = runtime.services.live
    before = hub.price_subscriber_count
    client = await ws_client()
    operation = await client.subscribe(PRICES, {"symbols": [f"S{i}" for i in range(5000)]})

    message = await client.receive()
    assert message["id"] == operation
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    (error,) = errors
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["field"] == "symbols"
    assert f"at most {MAX_PRICE_SYMBOLS} symbols" in error["message"]
    assert hub.price_subscriber_count == before


async def test_prices_refuses_a_symbol_longer_than_any_asset_has(runtime, ws_client):
    client = await ws_client()
    await client.subscribe(PRICES, {"symbols": ["BTC", "X" * 5000]})
    message = await client.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION_FAILED"]


async def test_prices_takes_as_many_symbols_as_the_cap(runtime, ws_client):
    client = await ws_client()
    chosen = [symbol() for _ in range(MAX_PRICE_SYMBOLS)]
    await subscribed(runtime, lambda: client.subscribe(PRICES, {"symbols": chosen}), prices=1)
    await publish_ticks(runtime.services.stores, tick(chosen[-1], "2"))
    assert (await client.data())["prices"]["symbol"] == chosen[-1]


def test_the_cap_covers_the_whole_catalogue():
    import json

    from persistence.catalogue.loader import CATALOGUE_FILE

    assets = json.loads(CATALOGUE_FILE.read_text())["assets"]
    assert len(assets) <= MAX_PRICE_SYMBOLS


HISTORY = """
query($symbol: String!, $since: DateTime) {
  asset(symbol: $symbol) { priceHistory(since: $since, limit: 10) { price at } }
}"""


async def test_price_history_refuses_a_window_older_than_the_history_kept(gql, make_asset):
    symbol_ = await make_asset("10.00")
    since = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    body = await gql.raw(HISTORY, {"symbol": symbol_, "since": since})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["field"] == "since"
    assert "366 days" in error["message"]


async def test_price_history_takes_a_window_of_a_year(gql, make_asset):
    symbol_ = await make_asset("10.00")
    since = (datetime.now(UTC) - timedelta(days=365)).isoformat()
    data = await gql(HISTORY, {"symbol": symbol_, "since": since})
    assert data["asset"]["priceHistory"] == []


async def test_an_unexpected_error_in_a_subscription_is_masked(runtime, ws_client, monkeypatch):
    from resolvers import live

    def broken(context, symbols):
        raise RuntimeError("internal detail: relay at 10.0.0.7")

    monkeypatch.setattr(live, "price_ticks", broken)
    client = await ws_client()
    await client.subscribe(PRICES)
    message = await client.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    (error,) = errors
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "10.0.0.7" not in str(message)
