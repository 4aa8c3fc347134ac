"""Limit orders: holds, fills on crossing ticks, cancellation, and their races."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from domain.market.matching import Matcher
from tests.support.trading import (
    asset_id,
    cancel,
    codes,
    limit_order_id,
    place,
    published_orders,
    sold_on_tick,
    state,
    tick_at,
    trader_and_asset,
)
from tests.support.trading import order as order_of


async def test_resting_buy_holds_cash_rounded_up(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    payload = await place(gql, user, symbol, "BUY", "3.333", type="LIMIT", limitPrice="40.001")
    order = payload["order"]
    assert (order["status"], order["executedPrice"], order["total"]) == ("OPEN", None, None)
    me = await state(gql, user)
    # 3.333 x 40.001 = 133.323333 -> 133.33 held
    assert me["balance"] == {"cash": "1000.00", "available": "866.67"}


async def test_resting_sell_holds_units(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    await place(gql, user, symbol, "BUY", "4")
    await place(gql, user, symbol, "SELL", "1.5", type="LIMIT", limitPrice="60")
    (position,) = (await state(gql, user))["positions"]
    assert (position["quantity"], position["available"]) == ("4.00", "2.50")
    # The held units cannot be sold twice.
    assert codes(await place(gql, user, symbol, "SELL", "3")) == [
        ("INSUFFICIENT_ASSET", "quantity")
    ]


async def test_marketable_limit_fills_at_once_at_the_current_price(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    order = (await place(gql, user, symbol, "BUY", "2", type="LIMIT", limitPrice="55"))["order"]
    assert (order["status"], order["executedPrice"], order["total"]) == (
        "FILLED",
        "50.00",
        "100.00",
    )
    assert (await state(gql, user))["balance"] == {"cash": "900.00", "available": "900.00"}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, ("VALIDATION_FAILED", "limitPrice")),
        ({"limitPrice": "0"}, ("VALIDATION_FAILED", "limitPrice")),
        ({"limitPrice": "1.123456789"}, ("VALIDATION_FAILED", "limitPrice")),
        ({"limitPrice": "20000"}, ("ORDER_VALUE_LIMIT_EXCEEDED", "quantity")),
        ({"limitPrice": "0.5"}, ("VALIDATION_FAILED", "quantity")),  # worth 0.50 USD
        ({"limitPrice": "999"}, ("INSUFFICIENT_FUNDS", "quantity")),
    ],
)
async def test_rejected_limit_orders_change_nothing(gql, make_user, make_asset, extra, expected):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "1000.00")
    payload = await place(gql, user, symbol, "BUY", "1", type="LIMIT", **extra)
    assert codes(payload) == [expected]
    assert (await state(gql, user))["balance"] == {"cash": "500.00", "available": "500.00"}


async def test_tick_fills_buy_at_tick_price_and_releases_the_surplus(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    order_id = await limit_order_id(gql, user, symbol, "BUY", "3", "45.555")
    asset = await asset_id(runtime, symbol)
    assert await matcher.match({asset: Decimal("45.56")}) == []  # not crossed
    filled = await matcher.match({asset: Decimal("44.4444")})
    assert [str(o.id) for o in filled] == [order_id]
    order = await order_of(gql, user, order_id)
    assert (order["status"], order["executedPrice"], order["total"]) == (
        "FILLED",
        "44.4444",
        "133.34",  # 133.3332 rounded up; 136.67 had been held
    )
    me = await state(gql, user)
    assert me["balance"] == {"cash": "866.66", "available": "866.66"}
    assert me["positions"][0]["averageCost"] == "44.4444"


async def test_tick_fills_sell_and_frees_the_units(gql, runtime, matcher, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    sold = dict(bought="5", sold="2", limit="12", tick="12.345")
    order = await sold_on_tick(gql, runtime, matcher, user, symbol, **sold)
    assert (order["status"], order["total"]) == ("FILLED", "24.69")
    me = await state(gql, user)
    assert me["balance"]["cash"] == "974.69"
    (position,) = me["positions"]
    assert (position["quantity"], position["available"]) == ("3.00", "3.00")


async def test_cancel_releases_the_hold(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "100.00", "10.00")
    order_id = await limit_order_id(gql, user, symbol, "BUY", "3", "9.99")
    assert (await state(gql, user))["balance"]["available"] == "70.03"
    cancelled = await cancel(gql, user, order_id)
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["cancelledAt"] is not None
    assert (await state(gql, user))["balance"] == {"cash": "100.00", "available": "100.00"}
    again = await cancel(gql, user, order_id)
    assert codes(again) == [("ORDER_NOT_CANCELLABLE", "id")]


async def test_cancel_someone_elses_or_a_filled_order(gql, make_user, make_asset):
    owner, stranger = await make_user(cash="100.00"), await make_user()
    symbol = await make_asset("10.00")
    resting = (await place(gql, owner, symbol, "BUY", "1", type="LIMIT", limitPrice="5"))["order"]
    filled = (await place(gql, owner, symbol, "BUY", "1"))["order"]
    assert codes(await cancel(gql, stranger, resting["id"])) == [("ORDER_NOT_FOUND", "id")]
    assert codes(await cancel(gql, owner, "12345678901234567890")) == [("ORDER_NOT_FOUND", "id")]
    assert codes(await cancel(gql, owner, filled["id"])) == [("ORDER_NOT_CANCELLABLE", "id")]
    assert (await state(gql, owner))["balance"]["available"] == "85.00"


async def test_cancel_and_fill_racing_have_exactly_one_winner(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "5000.00", "20.00")
    outcomes = []
    for _ in range(12):
        order_id = await limit_order_id(gql, user, symbol, "BUY", "1", "19.5")
        fill, cancelled = await asyncio.gather(
            matcher.fill(int(order_id), Decimal("19.25")), cancel(gql, user, order_id)
        )
        filled = fill is not None
        outcomes.append(filled)
        assert filled != (cancelled["errors"] == []), "exactly one of fill and cancel wins"
    fills = sum(outcomes)
    me = await state(gql, user)
    expected = Decimal("5000.00") - fills * Decimal("19.25")
    assert me["balance"] == {"cash": f"{expected:.2f}", "available": f"{expected:.2f}"}


async def test_two_matchers_fill_each_order_once(gql, runtime, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "5000.00", "20.00")
    for _ in range(10):
        await place(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="19")
    asset = await asset_id(runtime, symbol)
    first, second = (Matcher(runtime.services.db, runtime.services.orders) for _ in range(2))
    results = await asyncio.gather(
        first.match({asset: Decimal("18.5")}), second.match({asset: Decimal("18.5")})
    )
    filled_ids = [order.id for batch in results for order in batch]
    assert len(filled_ids) == len(set(filled_ids)) == 10
    assert (await state(gql, user))["balance"] == {"cash": "4815.00", "available": "4815.00"}


async def test_state_changes_are_published_after_commit(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    async with published_orders(runtime) as received:
        order_id = await limit_order_id(gql, user, symbol, "BUY", "1", "9")
        await tick_at(runtime, matcher.match, symbol, "8.5")
    mine = [(o.status, str(o.id)) for o in received if o.user_id == user.id]
    assert mine == [("OPEN", order_id), ("FILLED", order_id)]
