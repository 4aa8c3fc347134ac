"""Market orders: checks in their documented order, exact cash, positions and their cost."""

from __future__ import annotations

import uuid

import pytest

from tests.support.trading import codes, place, state, trader_and_asset


async def test_buy_pays_rounded_up_and_sell_receives_rounded_down(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "33.333")
    bought = await place(gql, user, symbol, "BUY", "1.5")
    assert bought["errors"] == []
    order = bought["order"]
    assert (order["status"], order["type"], order["side"]) == ("FILLED", "MARKET", "BUY")
    assert order["executedPrice"] == "33.333"
    assert order["total"] == "50.00"  # 49.9995 rounded up
    assert order["filledAt"] is not None
    sold = await place(gql, user, symbol, "SELL", "0.75")
    assert sold["order"]["total"] == "24.99"  # 24.99975 rounded down
    me = await state(gql, user)
    assert me["balance"]["cash"] == "974.99"
    (position,) = me["positions"]
    assert position["quantity"] == "0.75"
    assert position["averageCost"] == "33.333"


async def test_average_cost_is_volume_weighted_over_executed_prices(
    gql, make_user, make_asset, set_price
):
    user, symbol = await trader_and_asset(make_user, make_asset, "5000.00", "100.00")
    await place(gql, user, symbol, "BUY", "1")
    await set_price(symbol, "130.00")
    await place(gql, user, symbol, "BUY", "2")
    await place(gql, user, symbol, "SELL", "1")  # sells leave the average alone
    await set_price(symbol, "150.00")
    me = await state(gql, user)
    (position,) = me["positions"]
    assert position["averageCost"] == "120.00"  # (1x100 + 2x130) / 3
    assert position["quantity"] == "2.00"
    assert position["marketValue"] == "300.00"
    assert position["unrealizedPnl"] == "60.00"
    assert me["balance"]["cash"] == "4770.00"  # 5000 - 100 - 260 + 130
    portfolio = me["portfolio"]
    assert portfolio["positionsValue"] == "300.00"
    assert portfolio["totalValue"] == "5070.00"
    assert position["allocation"] == "5.92"  # 300 / 5070


async def test_selling_everything_clears_the_position(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "10.00")
    await place(gql, user, symbol, "BUY", "3")
    assert (await place(gql, user, symbol, "SELL", "3"))["errors"] == []
    me = await state(gql, user)
    assert me["positions"] == []
    assert me["balance"]["cash"] == "500.00"


@pytest.mark.parametrize(
    ("quantity", "extra", "expected"),
    [
        ("0", {}, ("VALIDATION_FAILED", "quantity")),
        ("-1", {}, ("VALIDATION_FAILED", "quantity")),
        ("0.123456789", {}, ("VALIDATION_FAILED", "quantity")),
        ("0.001", {}, ("VALIDATION_FAILED", "quantity")),  # worth 0.10 USD
        ("1", {"limitPrice": "10"}, ("VALIDATION_FAILED", "limitPrice")),
        ("1", {"clientOrderId": "bad id with spaces"}, ("VALIDATION_FAILED", "clientOrderId")),
        ("101", {}, ("ORDER_VALUE_LIMIT_EXCEEDED", "quantity")),
        ("99", {}, ("INSUFFICIENT_FUNDS", "quantity")),
    ],
)
async def test_rejected_buys_change_nothing(gql, make_user, make_asset, quantity, extra, expected):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    payload = await place(gql, user, symbol, "BUY", quantity, **extra)
    assert payload["order"] is None
    assert codes(payload) == [expected]
    me = await state(gql, user)
    assert me["balance"]["cash"] == "500.00"
    assert me["positions"] == []
    orders = await gql("{ me { orders { totalCount } } }", token=user.token)
    assert orders["me"]["orders"]["totalCount"] == 0


async def test_value_cap_is_checked_before_funds(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "10.00", "1000.00")
    assert codes(await place(gql, user, symbol, "BUY", "11")) == [
        ("ORDER_VALUE_LIMIT_EXCEEDED", "quantity")
    ]


async def test_unknown_and_untradable_assets(gql, make_user, make_asset):
    user = await make_user(cash="100.00")
    assert codes(await place(gql, user, "NOPE" + uuid.uuid4().hex[:6], "BUY", "1")) == [
        ("ASSET_NOT_FOUND", "assetSymbol")
    ]
    listed = await make_asset("10.00", tradable=False)
    assert codes(await place(gql, user, listed, "BUY", "1")) == [
        ("ASSET_NOT_TRADABLE", "assetSymbol")
    ]


async def test_cannot_sell_what_you_do_not_hold(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "100.00", "10.00")
    assert codes(await place(gql, user, symbol, "SELL", "1")) == [
        ("INSUFFICIENT_ASSET", "quantity")
    ]
    await place(gql, user, symbol, "BUY", "2")
    assert codes(await place(gql, user, symbol, "SELL", "2.00000001")) == [
        ("INSUFFICIENT_ASSET", "quantity")
    ]


async def test_client_order_id_replays_and_conflicts(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "50.00")
    key = uuid.uuid4().hex
    first = await place(gql, user, symbol, "BUY", "2", clientOrderId=key)
    again = await place(gql, user, symbol, "BUY", "2", clientOrderId=key)
    assert again["order"]["id"] == first["order"]["id"]
    assert again["order"]["clientOrderId"] == key
    conflict = await place(gql, user, symbol, "BUY", "3", clientOrderId=key)
    assert codes(conflict) == [("IDEMPOTENCY_CONFLICT", "clientOrderId")]
    assert (await state(gql, user))["balance"]["cash"] == "900.00"


async def test_symbols_are_case_insensitive(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "100.00", "10.00")
    payload = await place(gql, user, symbol.lower(), "BUY", "1")
    assert payload["order"]["asset"]["symbol"] == symbol
