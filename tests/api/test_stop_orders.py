"""Stop and stop-limit orders: holds, triggers at placement and on ticks, races, validation."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.support.trading import (
    FixedFeed,
    asset_id,
    books,
    cancel,
    codes,
    engine_with,
    matcher_for,
    order,
    place,
    placed,
    settled,
    tick_at,
    trader_and_asset,
)


async def stop_limit(gql, user, symbol, side, quantity, *, stop: str, limit: str):
    """A STOP_LIMIT order that must be accepted."""
    return await placed(
        gql, user, symbol, side, quantity, type="STOP_LIMIT", stopPrice=stop, limitPrice=limit
    )


async def test_sell_stop_below_market_rests_holding_the_units(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    await placed(gql, user, symbol, "BUY", "4")
    stop = await placed(gql, user, symbol, "SELL", "3", type="STOP", stopPrice="45")
    assert (stop["status"], stop["type"], stop["stopPrice"], stop["limitPrice"]) == (
        "OPEN",
        "STOP",
        "45.00",
        None,
    )
    assert (stop["timeInForce"], stop["triggeredAt"], stop["expiresAt"]) == ("GTC", None, None)
    assert (await books(gql, user))["positions"][symbol] == ("4.00", "1.00")


async def test_buy_stop_above_market_holds_cash_at_the_stop_price(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    await placed(gql, user, symbol, "BUY", "3.333", type="STOP", stopPrice="60.001")
    # 3.333 x 60.001 = 199.983333 -> 199.99 held
    assert (await books(gql, user))["available"] == "800.01"


async def test_stop_limit_holds_at_its_limit_price(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    stop = await stop_limit(gql, user, symbol, "BUY", "2", stop="55", limit="57.5")
    assert (stop["status"], stop["stopPrice"], stop["limitPrice"]) == ("OPEN", "55.00", "57.50")
    assert (await books(gql, user))["available"] == "885.00"


async def test_a_reached_stop_executes_at_once_at_the_current_price(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    stop = await placed(gql, user, symbol, "BUY", "2", type="STOP", stopPrice="48")
    assert (stop["status"], stop["executedPrice"], stop["total"]) == ("FILLED", "50.00", "100.00")
    assert stop["triggeredAt"] is not None
    assert stop["filledAt"] is not None
    assert (await books(gql, user))["cash"] == "900.00"


async def test_a_reached_stop_limit_is_triggered_at_once(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    # Stop reached and limit marketable: fills now.
    filled = await stop_limit(gql, user, symbol, "BUY", "1", stop="49", limit="51")
    assert (filled["status"], filled["executedPrice"]) == ("FILLED", "50.00")
    # Stop reached but limit not: a resting limit order, already triggered.
    resting = await stop_limit(gql, user, symbol, "BUY", "1", stop="49", limit="48")
    assert resting["status"] == "OPEN"
    assert resting["triggeredAt"] is not None
    assert (await books(gql, user))["available"] == "902.00"  # 1000 - 50 - 48 held


async def test_engine_tick_triggers_a_sell_stop_at_the_tick_price(
    gql, runtime, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    await placed(gql, user, symbol, "BUY", "4")
    stop = await placed(gql, user, symbol, "SELL", "3", type="STOP", stopPrice="45")
    feed = FixedFeed({symbol: Decimal("46")})
    engine = engine_with(runtime, feed)
    await engine.tick()
    assert (await order(gql, user, stop["id"]))["status"] == "OPEN"  # not reached
    feed.prices[symbol] = Decimal("44.333")
    await engine.tick()
    after = await order(gql, user, stop["id"])
    assert (after["status"], after["executedPrice"], after["total"]) == (
        "FILLED",
        "44.333",
        "132.99",  # 132.999 rounded down for a seller
    )
    assert after["triggeredAt"] is not None
    assert await books(gql, user) == settled("932.99", {symbol: "1.00"})  # 1000 - 200 + 132.99


async def test_engine_triggers_a_buy_stop_and_releases_the_surplus(
    gql, runtime, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    stop = await placed(gql, user, symbol, "BUY", "2", type="STOP", stopPrice="55")
    assert (await books(gql, user))["available"] == "890.00"
    await engine_with(runtime, FixedFeed({symbol: Decimal("56.125")})).tick()
    after = await order(gql, user, stop["id"])
    assert (after["status"], after["total"]) == ("FILLED", "112.25")
    assert await books(gql, user) == settled("887.75", {symbol: "2.00"})


async def test_a_triggered_buy_stop_the_account_cannot_pay_is_rejected(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "100.00", "80.00")
    stop = await placed(gql, user, symbol, "BUY", "1", type="STOP", stopPrice="90")
    assert (await books(gql, user))["available"] == "10.00"
    changed = await tick_at(runtime, matcher.trigger_stops, symbol, "120")
    assert [(str(o.id), o.status) for o in changed] == [(stop["id"], "REJECTED")]
    after = await order(gql, user, stop["id"])
    assert (after["status"], after["executedPrice"], after["total"]) == ("REJECTED", None, None)
    assert after["triggeredAt"] is not None
    assert after["cancelledAt"] is not None
    assert await books(gql, user) == {"cash": "100.00", "available": "100.00", "positions": {}}


async def test_a_triggered_stop_is_held_to_the_value_limit_at_its_fill_price(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "20000.00", "8000.00")
    stop = await placed(gql, user, symbol, "BUY", "1", type="STOP", stopPrice="9000")
    await tick_at(runtime, matcher.run, symbol, "10000.01")
    assert (await order(gql, user, stop["id"]))["status"] == "REJECTED"
    assert (await books(gql, user))["available"] == "20000.00"


async def test_stop_limit_fills_only_once_triggered(gql, runtime, matcher, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "100.00")
    asset = await asset_id(runtime, symbol)
    first = await stop_limit(gql, user, symbol, "BUY", "1", stop="110", limit="112")
    second = await stop_limit(gql, user, symbol, "BUY", "1", stop="110", limit="112")
    # Under the limit but short of the stop: nothing happens.
    assert [o for o in await matcher.run({asset: Decimal("105")}) if o.user_id == user.id] == []
    # Past the stop and past the limit: both trigger, neither fills.
    await matcher.run({asset: Decimal("115")})
    for stop in (first, second):
        now = await order(gql, user, stop["id"])
        assert (now["status"], now["executedPrice"]) == ("OPEN", None)
        assert now["triggeredAt"] is not None
    # Back under the limit: the triggered orders fill as limit orders.
    filled = await matcher.run({asset: Decimal("111.5")})
    assert sorted(str(o.id) for o in filled if o.user_id == user.id) == sorted(
        [first["id"], second["id"]]
    )
    assert await books(gql, user) == settled("777.00", {symbol: "2.00"})


async def test_a_tick_that_triggers_a_stop_limit_also_fills_it(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "100.00")
    await placed(gql, user, symbol, "BUY", "1")
    stop = await stop_limit(gql, user, symbol, "SELL", "1", stop="95", limit="94")
    changed = await tick_at(runtime, matcher.run, symbol, "94.5")
    mine = [(o.status, o.triggered_at is not None) for o in changed if o.user_id == user.id]
    assert mine == [("OPEN", True), ("FILLED", True)]
    assert (await order(gql, user, stop["id"]))["executedPrice"] == "94.50"


async def test_cancel_and_trigger_racing_have_exactly_one_winner(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "5000.00", "20.00")
    await placed(gql, user, symbol, "BUY", "12")
    triggered = 0
    for _ in range(12):
        stop = await placed(gql, user, symbol, "SELL", "1", type="STOP", stopPrice="19.5")
        fired, cancelled = await asyncio.gather(
            matcher.trigger(int(stop["id"]), Decimal("19.25")), cancel(gql, user, stop["id"])
        )
        won = fired is not None
        assert won != (cancelled["errors"] == []), "exactly one of trigger and cancel wins"
        final = await order(gql, user, stop["id"])
        assert final["status"] == ("FILLED" if won else "CANCELLED")
        triggered += won
    left = 12 - triggered
    cash = Decimal("5000.00") - 240 + triggered * Decimal("19.25")
    assert await books(gql, user) == {
        "cash": f"{cash:.2f}",
        "available": f"{cash:.2f}",
        "positions": {symbol: (f"{left}.00", f"{left}.00")} if left else {},
    }


async def test_two_passes_at_once_trigger_each_stop_once(gql, runtime, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "5000.00", "20.00")
    for _ in range(10):
        await placed(gql, user, symbol, "BUY", "1", type="STOP", stopPrice="21")
    asset = await asset_id(runtime, symbol)
    first, second = matcher_for(runtime), matcher_for(runtime)
    results = await asyncio.gather(
        first.run({asset: Decimal("21.5")}), second.run({asset: Decimal("21.5")})
    )
    fills = [o.id for batch in results for o in batch if o.user_id == user.id]
    assert len(fills) == len(set(fills)) == 10
    assert await books(gql, user) == settled("4785.00", {symbol: "10.00"})


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"type": "MARKET", "limitPrice": "90"}, "limitPrice"),
        ({"type": "MARKET", "stopPrice": "90"}, "stopPrice"),
        ({"type": "LIMIT"}, "limitPrice"),
        ({"type": "LIMIT", "limitPrice": "90", "stopPrice": "90"}, "stopPrice"),
        ({"type": "STOP"}, "stopPrice"),
        ({"type": "STOP", "stopPrice": "110", "limitPrice": "111"}, "limitPrice"),
        ({"type": "STOP_LIMIT", "stopPrice": "110"}, "limitPrice"),
        ({"type": "STOP_LIMIT", "limitPrice": "110"}, "stopPrice"),
        ({"type": "STOP", "stopPrice": "0"}, "stopPrice"),
        ({"type": "STOP", "stopPrice": "-5"}, "stopPrice"),
        ({"type": "STOP", "stopPrice": "110.123456789"}, "stopPrice"),
        ({"type": "STOP", "stopPrice": "1000000000000"}, "stopPrice"),
        ({"type": "STOP_LIMIT", "stopPrice": "110", "limitPrice": "0"}, "limitPrice"),
    ],
)
async def test_forbidden_stop_combinations_change_nothing(gql, make_user, make_asset, extra, field):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    payload = await place(gql, user, symbol, "BUY", "1", **extra)
    assert codes(payload) == [("VALIDATION_FAILED", field)]
    assert payload["order"] is None
    assert await books(gql, user) == {"cash": "500.00", "available": "500.00", "positions": {}}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"stopPrice": "20000"}, ("ORDER_VALUE_LIMIT_EXCEEDED", "quantity")),
        ({"stopPrice": "0.5"}, ("VALIDATION_FAILED", "quantity")),  # worth 0.50 USD
        ({"stopPrice": "999"}, ("INSUFFICIENT_FUNDS", "quantity")),
    ],
)
async def test_a_buy_stop_is_valued_and_paid_for_at_its_stop_price(
    gql, make_user, make_asset, extra, expected
):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "0.25")
    payload = await place(gql, user, symbol, "BUY", "1", type="STOP", **extra)
    assert codes(payload) == [expected]
    assert (await books(gql, user))["available"] == "500.00"


async def test_a_sell_stop_needs_the_units(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    await placed(gql, user, symbol, "BUY", "1")
    payload = await place(gql, user, symbol, "SELL", "2", type="STOP", stopPrice="90")
    assert codes(payload) == [("INSUFFICIENT_ASSET", "quantity")]


async def test_a_retry_with_the_same_client_order_id_places_one_stop(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    request = {"type": "STOP", "stopPrice": "110", "clientOrderId": "stop-1"}
    first = await placed(gql, user, symbol, "BUY", "1", **request)
    again = await placed(gql, user, symbol, "BUY", "1", **request)
    assert again["id"] == first["id"]
    other = await place(gql, user, symbol, "BUY", "1", **{**request, "stopPrice": "111"})
    assert codes(other) == [("IDEMPOTENCY_CONFLICT", "clientOrderId")]
    assert (await books(gql, user))["available"] == "390.00"
