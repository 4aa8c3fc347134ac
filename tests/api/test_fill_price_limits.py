"""The order value limits hold at the price an order executes at, not only at its limit."""

from __future__ import annotations

from tests.support import trading


async def test_a_resting_sell_worth_more_than_the_cap_at_its_fill_price_is_rejected(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trading.trader_and_asset(make_user, make_asset, "1000.00", "100.00")
    await trading.place(gql, user, symbol, "BUY", "10")
    # Worth 9,000 at its limit: within the 10,000 cap when placed.
    resting = await trading.place(gql, user, symbol, "SELL", "10", type="LIMIT", limitPrice="900")
    order_id = resting["order"]["id"]
    assert resting["order"]["status"] == "OPEN"
    async with trading.published_orders(runtime) as published:
        # A tick far past the limit: 10 x 1,200 = 12,000, over the cap.
        changed = await trading.tick_at(runtime, matcher.match, symbol, "1200")

    assert [(str(o.id), o.status) for o in changed] == [(order_id, "REJECTED")]
    rejected = await trading.order(gql, user, order_id)
    assert (rejected["status"], rejected["executedPrice"], rejected["total"]) == (
        "REJECTED",
        None,
        None,
    )
    me = await trading.state(gql, user)
    assert me["balance"] == {"cash": "0.00", "available": "0.00"}
    (position,) = me["positions"]
    assert (position["quantity"], position["available"]) == ("10.00", "10.00")
    mine = [(str(o.id), o.status) for o in published if o.user_id == user.id]
    assert mine == [(order_id, "REJECTED")]


async def test_a_resting_buy_worth_less_than_the_minimum_at_its_fill_price_is_rejected(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trading.trader_and_asset(make_user, make_asset, "10.00", "2.00")
    resting = await trading.place(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="1.50")
    order_id = resting["order"]["id"]
    assert (await trading.state(gql, user))["balance"]["available"] == "8.50"

    changed = await trading.tick_at(runtime, matcher.match, symbol, "0.90")

    assert [(str(o.id), o.status) for o in changed] == [(order_id, "REJECTED")]
    me = await trading.state(gql, user)
    assert me["balance"] == {"cash": "10.00", "available": "10.00"}
    assert me["positions"] == []


async def test_a_resting_order_within_the_limits_at_its_fill_price_still_fills(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trading.trader_and_asset(make_user, make_asset, "1000.00", "100.00")
    sold = dict(bought="10", sold="10", limit="900", tick="1000")
    order = await trading.sold_on_tick(gql, runtime, matcher, user, symbol, **sold)
    assert (order["status"], order["total"]) == ("FILLED", "10000.00")


async def test_a_limit_order_filling_at_once_is_checked_at_the_execution_price(
    gql, make_user, make_asset, set_price
):
    user, symbol = await trading.trader_and_asset(make_user, make_asset, "1000.00", "100.00")
    await trading.place(gql, user, symbol, "BUY", "10")
    await set_price(symbol, "1200.00")
    # Worth 5,000 at its limit, but it would execute now at 1,200: 12,000.
    refused = await trading.place(gql, user, symbol, "SELL", "10", type="LIMIT", limitPrice="500")
    assert refused["order"] is None
    assert trading.codes(refused) == [("ORDER_VALUE_LIMIT_EXCEEDED", "quantity")]
    assert "12,000.00" in refused["errors"][0]["message"]
    me = await trading.state(gql, user)
    assert me["balance"]["cash"] == "0.00"
    assert me["positions"][0]["quantity"] == "10.00"


async def test_a_limit_buy_filling_at_once_under_the_minimum_is_refused(gql, make_user, make_asset):
    user, symbol = await trading.trader_and_asset(make_user, make_asset, "10.00", "0.50")
    # Worth 5.00 at its limit; it would execute now at 0.50, worth 0.50.
    refused = await trading.place(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="5")
    assert trading.codes(refused) == [("VALIDATION_FAILED", "quantity")]
    assert (await trading.state(gql, user))["balance"] == {"cash": "10.00", "available": "10.00"}
