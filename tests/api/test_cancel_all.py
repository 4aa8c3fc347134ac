"""cancelAllOrders: every open order in one transaction, holds released, each change pushed."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from tests.support.trading import (
    asset_id,
    books,
    cancel_all,
    codes,
    matcher_for,
    order,
    placed,
    published_orders,
)


async def open_book(gql, user, first: str, second: str) -> dict[str, Any]:
    """One resting order of every kind over two assets, plus a filled one per asset."""
    await placed(gql, user, first, "BUY", "5")
    await placed(gql, user, second, "BUY", "4")
    return {
        "limit_buy": await placed(gql, user, first, "BUY", "2", type="LIMIT", limitPrice="9"),
        "limit_sell": await placed(gql, user, first, "SELL", "1", type="LIMIT", limitPrice="12"),
        "stop_sell": await placed(gql, user, first, "SELL", "2", type="STOP", stopPrice="8"),
        "stop_buy": await placed(gql, user, second, "BUY", "1", type="STOP", stopPrice="25"),
        "stop_limit": await placed(
            gql,
            user,
            second,
            "SELL",
            "3",
            type="STOP_LIMIT",
            stopPrice="18",
            limitPrice="17.5",
            timeInForce="DAY",
        ),
    }


async def test_cancels_every_open_order_and_releases_every_hold(gql, make_user, make_asset):
    user, neighbour = await make_user(cash="1000.00"), await make_user(cash="100.00")
    first, second = await make_asset("10.00"), await make_asset("20.00")
    resting = await open_book(gql, user, first, second)
    theirs = await placed(gql, neighbour, first, "BUY", "1", type="LIMIT", limitPrice="9")
    assert await books(gql, user) == {
        "cash": "870.00",
        "available": "827.00",  # 18 + 25 held
        "positions": {first: ("5.00", "2.00"), second: ("4.00", "1.00")},
    }
    payload = await cancel_all(gql, user)
    assert payload["errors"] == []
    assert sorted(o["id"] for o in payload["orders"]) == sorted(o["id"] for o in resting.values())
    assert {o["status"] for o in payload["orders"]} == {"CANCELLED"}
    assert all(o["cancelledAt"] is not None for o in payload["orders"])
    assert await books(gql, user) == {
        "cash": "870.00",
        "available": "870.00",
        "positions": {first: ("5.00", "5.00"), second: ("4.00", "4.00")},
    }
    assert (await order(gql, neighbour, theirs["id"]))["status"] == "OPEN"
    again = await cancel_all(gql, user)
    assert again == {"orders": [], "errors": []}


async def test_one_asset_only(gql, make_user, make_asset):
    user = await make_user(cash="1000.00")
    first, second = await make_asset("10.00"), await make_asset("20.00")
    resting = await open_book(gql, user, first, second)
    payload = await cancel_all(gql, user, second.lower())
    assert sorted(o["id"] for o in payload["orders"]) == sorted(
        [resting["stop_buy"]["id"], resting["stop_limit"]["id"]]
    )
    assert {o["asset"]["symbol"] for o in payload["orders"]} == {second}
    assert (await order(gql, user, resting["limit_buy"]["id"]))["status"] == "OPEN"
    assert await books(gql, user) == {
        "cash": "870.00",
        "available": "852.00",
        "positions": {first: ("5.00", "2.00"), second: ("4.00", "4.00")},
    }


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("NOPE_NOT_LISTED", ("ASSET_NOT_FOUND", "assetSymbol")),
        ("  ", ("VALIDATION_FAILED", "assetSymbol")),
        ("X" * 21, ("VALIDATION_FAILED", "assetSymbol")),
    ],
)
async def test_a_bad_symbol_cancels_nothing(gql, make_user, make_asset, symbol, expected):
    user = await make_user(cash="100.00")
    asset = await make_asset("10.00")
    resting = await placed(gql, user, asset, "BUY", "1", type="LIMIT", limitPrice="9")
    payload = await cancel_all(gql, user, symbol)
    assert (payload["orders"], codes(payload)) == ([], [expected])
    assert (await order(gql, user, resting["id"]))["status"] == "OPEN"


async def test_each_cancellation_is_published(gql, runtime, make_user, make_asset):
    user = await make_user(cash="1000.00")
    first, second = await make_asset("10.00"), await make_asset("20.00")
    resting = await open_book(gql, user, first, second)
    async with published_orders(runtime) as received:
        await cancel_all(gql, user)
    mine = sorted((str(o.id), o.status) for o in received if o.user_id == user.id)
    assert mine == sorted((o["id"], "CANCELLED") for o in resting.values())


async def test_cancel_all_racing_the_engine_executes_each_order_once(
    gql, runtime, make_user, make_asset
):
    user = await make_user(cash="5000.00")
    symbol = await make_asset("20.00")
    asset = await asset_id(runtime, symbol)
    await placed(gql, user, symbol, "BUY", "30")
    for _ in range(8):
        ids = [
            (await placed(gql, user, symbol, "SELL", "1", type="STOP", stopPrice="19.5"))["id"],
            (await placed(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="19.4"))["id"],
        ]
        cancelled, changed = await asyncio.gather(
            cancel_all(gql, user, symbol), matcher_for(runtime).run({asset: Decimal("19.25")})
        )
        by_cancel = {o["id"] for o in cancelled["orders"]}
        by_engine = {str(o.id) for o in changed if o.user_id == user.id}
        assert by_cancel.isdisjoint(by_engine)
        assert by_cancel | by_engine == set(ids)
    # However the races went, the books add up: every sale and purchase was at 19.25.
    async with runtime.services.db.read() as session:
        sold, bought = (
            await session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE side = 'SELL' AND status = 'FILLED'),"
                    " count(*) FILTER (WHERE side = 'BUY' AND status = 'FILLED'"
                    " AND type = 'LIMIT') FROM orders WHERE user_id = :u"
                ),
                {"u": user.id},
            )
        ).one()
    cash = Decimal("5000.00") - 600 + (sold - bought) * Decimal("19.25")
    units = 30 - sold + bought
    assert await books(gql, user) == {
        "cash": f"{cash:.2f}",
        "available": f"{cash:.2f}",
        "positions": {symbol: (f"{units}.00", f"{units}.00")},
    }
