"""The price engine on the database: what a tick writes and publishes, history, leadership."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import text

from domain.market.engine import EngineTiming, percent_change
from domain.market.events import PRICES_CHANNEL, decode_ticks
from domain.market.supervisor import MarketSupervisor
from persistence.advisory_lock import AdvisoryLock
from persistence.stores import open_stores
from tests.support.prices import T0, Clock, OnlyTheseFeed, engine_for
from tests.support.trading import place, state
from web.adapters.coingecko import CoinGeckoFeed


async def asset_row(runtime, symbol):
    async with runtime.services.db.read() as session:
        return (
            await session.execute(
                text(
                    "SELECT id, price, price_change_24h, high_24h, low_24h, price_updated_at"
                    " FROM assets WHERE symbol = :s"
                ),
                {"s": symbol},
            )
        ).one()


async def add_history(runtime, symbol, points):
    async with runtime.services.db.transaction() as session:
        for at, price in points:
            await session.execute(
                text(
                    "INSERT INTO price_points (asset_id, at, price)"
                    " SELECT id, :at, :price FROM assets WHERE symbol = :s"
                ),
                {"s": symbol, "at": at, "price": Decimal(price)},
            )


async def test_a_tick_writes_publishes_and_records(runtime, make_asset):
    symbol = await make_asset("100.00")
    await add_history(
        runtime, symbol, [(T0 - timedelta(hours=30), "80.00"), (T0 - timedelta(hours=2), "120.00")]
    )
    clock = Clock(T0)
    pubsub = open_stores(None).pubsub
    messages = pubsub.subscribe(PRICES_CHANNEL)
    receiving = asyncio.ensure_future(anext(messages))
    await asyncio.sleep(0)
    engine = engine_for(
        runtime, OnlyTheseFeed({symbol}, fixed={symbol: Decimal("90.50")}), clock, pubsub
    )
    ticks = await engine.tick()
    assert [(t.symbol, t.price) for t in ticks] == [(symbol, Decimal("90.50"))]
    published = decode_ticks(await asyncio.wait_for(receiving, 1))
    assert published == ticks
    row = await asset_row(runtime, symbol)
    assert row.price == Decimal("90.50")
    assert (
        row.price_change_24h
        == percent_change(Decimal("80.00"), Decimal("90.50"))
        == Decimal("13.1250")
    )
    assert (row.high_24h, row.low_24h) == (Decimal("120.00"), Decimal("90.50"))
    assert row.price_updated_at == T0
    async with runtime.services.db.read() as session:
        recorded = await session.scalar(
            text("SELECT price FROM price_points WHERE asset_id = :a AND at = :at"),
            {"a": row.id, "at": T0},
        )
    assert recorded == Decimal("90.50")
    await messages.aclose()


async def test_history_is_recorded_once_per_interval(runtime, make_asset):
    symbol = await make_asset("10.00")
    clock = Clock(T0 + timedelta(days=1))
    engine = engine_for(runtime, OnlyTheseFeed({symbol}), clock)
    for _ in range(130):
        await engine.tick()
        clock.advance(1)
    row = await asset_row(runtime, symbol)
    async with runtime.services.db.read() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM price_points WHERE asset_id = :a AND at >= :t"),
            {"a": row.id, "t": T0 + timedelta(days=1)},
        )
    assert count == 3  # at 0 s, 60 s and 120 s


async def test_a_crossing_tick_fills_resting_orders(gql, runtime, make_user, make_asset):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("100.00")
    order = (await place(gql, user, symbol, "BUY", "2", type="LIMIT", limitPrice="99"))["order"]
    feed = OnlyTheseFeed({symbol}, fixed={symbol: Decimal("99.50")})
    engine = engine_for(runtime, feed, Clock(T0 + timedelta(days=2)))
    await engine.tick()
    assert (await state(gql, user))["balance"]["available"] == "802.00"  # still resting
    feed.fixed = {symbol: Decimal("98.7654")}
    await engine.tick()
    query = "query($id: ID!) { order(id: $id) { status executedPrice total } }"
    filled = (await gql(query, {"id": order["id"]}, token=user.token))["order"]
    assert filled == {"status": "FILLED", "executedPrice": "98.7654", "total": "197.54"}
    assert (await state(gql, user))["balance"] == {"cash": "802.46", "available": "802.46"}


async def test_old_history_is_thinned(runtime, make_asset):
    symbol = await make_asset("10.00")
    now = datetime.now(UTC)
    base = now - timedelta(days=3)
    await add_history(runtime, symbol, [(base + timedelta(minutes=m), "10.00") for m in range(60)])
    engine = engine_for(runtime, OnlyTheseFeed(set()), Clock(now))
    await engine._maintain(now)
    row = await asset_row(runtime, symbol)
    async with runtime.services.db.read() as session:
        kept = await session.scalar(
            text("SELECT count(*) FROM price_points WHERE asset_id = :a AND at < :t"),
            {"a": row.id, "t": now - timedelta(days=1)},
        )
    assert 12 <= kept <= 13  # one point per 5-minute bucket of that hour


async def test_engine_with_unreachable_feed_changes_nothing(runtime, make_asset):
    symbol = await make_asset("42.00")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    feed = CoinGeckoFeed(client=httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    engine = engine_for(runtime, feed, Clock(T0 + timedelta(days=3)))
    assert await engine.tick() == []
    assert (await asset_row(runtime, symbol)).price == Decimal("42.00")
    await feed.close()


async def test_advisory_lock_has_one_holder(runtime):
    engine = runtime.services.db.engine
    first, second = AdvisoryLock(engine, 4242), AdvisoryLock(engine, 4242)
    assert await first.try_acquire() is True
    assert await second.try_acquire() is False
    assert await first.still_held() is True
    await first.release()
    assert await second.try_acquire() is True
    await second.release()


async def test_a_standby_supervisor_takes_over(runtime, make_asset):
    symbol = await make_asset("5.00")

    def supervisor():
        feed = OnlyTheseFeed({symbol})
        engine = engine_for(runtime, feed, Clock(T0 + timedelta(days=4)))
        engine.timing = EngineTiming(tick=timedelta(milliseconds=50))
        return MarketSupervisor(AdvisoryLock(runtime.services.db.engine, 777), engine, 0.1)

    leader, standby = supervisor(), supervisor()
    leader.start()
    await asyncio.sleep(0.3)
    standby.start()
    await asyncio.sleep(0.3)
    assert (leader.leading, standby.leading) == (True, False)
    await leader.close()  # the leader goes away; its lock goes with it
    for _ in range(40):
        if standby.leading:
            break
        await asyncio.sleep(0.05)
    assert standby.leading
    await standby.close()


async def test_price_history_is_evenly_spaced_and_bounded(gql, runtime, make_asset):
    symbol = await make_asset("10.00")
    now = datetime.now(UTC)
    await add_history(
        runtime,
        symbol,
        [(now - timedelta(minutes=m), f"{10 + m / 100:.2f}") for m in range(0, 1500)],
    )
    query = """query($s: String!, $since: DateTime, $limit: Int) {
      asset(symbol: $s) { priceHistory(since: $since, limit: $limit) { price at } } }"""
    default = (await gql(query, {"s": symbol}))["asset"]["priceHistory"]
    assert 280 <= len(default) <= 288
    ats = [point["at"] for point in default]
    assert ats == sorted(ats)
    assert default[-1]["price"] == "10.00"  # the newest point is kept
    since = (now - timedelta(hours=1)).isoformat()
    hour = (await gql(query, {"s": symbol, "since": since, "limit": 6}))["asset"]["priceHistory"]
    assert len(hour) == 6
    assert all(p["at"] >= since[:19] for p in hour)
    body = await gql.raw(query, {"s": symbol, "limit": 5000})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
