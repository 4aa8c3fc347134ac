"""Placing, cancelling and reading orders with every field, and driving the matcher's pass."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from domain.clock import utc_now
from domain.market.engine import EngineTiming, PriceEngine
from domain.market.events import ORDERS_CHANNEL, decode_order
from domain.market.matching import Matcher
from persistence.models import Order

ORDER_FIELDS = """id clientOrderId side type status quantity limitPrice stopPrice timeInForce
  expiresAt triggeredAt expiredAt executedPrice total createdAt filledAt cancelledAt
  asset { symbol }"""
PLACE = f"""
mutation Place($input: PlaceOrderInput!) {{
  placeOrder(input: $input) {{ order {{ {ORDER_FIELDS} }} errors {{ code field message }} }}
}}"""
CANCEL = f"""
mutation Cancel($id: ID!) {{
  cancelOrder(id: $id) {{ order {{ {ORDER_FIELDS} }} errors {{ code field message }} }}
}}"""
CANCEL_ALL = f"""
mutation CancelAll($symbol: String) {{
  cancelAllOrders(assetSymbol: $symbol) {{
    orders {{ {ORDER_FIELDS} }} errors {{ code field message }}
  }}
}}"""
ORDER = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
BOOKS = """{ me { balance { cash available }
  positions { asset { symbol } quantity available } } }"""
STATE = """{ me {
  balance { cash available }
  positions { asset { symbol } quantity available averageCost marketValue unrealizedPnl allocation }
  portfolio { cash positionsValue totalValue asOf positions { asset { symbol } allocation } }
} }"""


async def trader_and_asset(make_user: Any, make_asset: Any, cash: str, price: str) -> Any:
    """A user funded with ``cash``, and a fresh asset at ``price`` that only the test trades."""
    return await make_user(cash=cash), await make_asset(price)


async def place(gql: Any, user: Any, symbol: str, side: str, quantity: str, **extra: Any) -> Any:
    order = {"assetSymbol": symbol, "side": side, "quantity": quantity, **extra}
    return (await gql(PLACE, {"input": order}, token=user.token))["placeOrder"]


async def placed(gql: Any, user: Any, symbol: str, side: str, quantity: str, **extra: Any) -> Any:
    """The order of a placement that must succeed."""
    payload = await place(gql, user, symbol, side, quantity, **extra)
    assert payload["errors"] == [], payload["errors"]
    return payload["order"]


async def limit_order_id(
    gql: Any, user: Any, symbol: str, side: str, quantity: str, limit: str
) -> str:
    """The id of a LIMIT order that must be accepted."""
    placement = await placed(gql, user, symbol, side, quantity, type="LIMIT", limitPrice=limit)
    return str(placement["id"])


async def cancel(gql: Any, user: Any, order_id: str) -> Any:
    return (await gql(CANCEL, {"id": order_id}, token=user.token))["cancelOrder"]


async def cancel_all(gql: Any, user: Any, symbol: str | None = None) -> Any:
    return (await gql(CANCEL_ALL, {"symbol": symbol}, token=user.token))["cancelAllOrders"]


async def order(gql: Any, user: Any, order_id: str) -> Any:
    return (await gql(ORDER, {"id": order_id}, token=user.token))["order"]


async def books(gql: Any, user: Any) -> dict[str, Any]:
    """Cash and available cash, and each position's quantity and available units."""
    me = (await gql(BOOKS, token=user.token))["me"]
    return {
        "cash": me["balance"]["cash"],
        "available": me["balance"]["available"],
        "positions": {
            p["asset"]["symbol"]: (p["quantity"], p["available"]) for p in me["positions"]
        },
    }


async def state(gql: Any, user: Any) -> Any:
    """Cash, positions with their cost and value, and the portfolio's totals."""
    return (await gql(STATE, token=user.token))["me"]


def settled(cash: str, units: dict[str, str] | None = None) -> dict[str, Any]:
    """Books with nothing held back, as ``books`` reads them: all the cash available and
    every unit of each position free."""
    positions = {symbol: (quantity, quantity) for symbol, quantity in (units or {}).items()}
    return {"cash": cash, "available": cash, "positions": positions}


def codes(payload: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def asset_id(runtime: Any, symbol: str) -> int:
    async with runtime.services.db.read() as session:
        return int(
            await session.scalar(text("SELECT id FROM assets WHERE symbol = :s"), {"s": symbol})
        )


async def tick_at(runtime: Any, step: Any, symbol: str, price: str) -> list[Order]:
    """One matcher step (``match``, ``run`` or ``trigger_stops``) over one asset at ``price``:
    the orders it changed."""
    changed: list[Order] = await step({await asset_id(runtime, symbol): Decimal(price)})
    return changed


async def sold_on_tick(
    gql: Any, runtime: Any, matcher: Matcher, user: Any, symbol: str, **at: str
) -> Any:
    """Buy ``bought`` units at market, rest a SELL limit for ``sold`` of them at ``limit``,
    run the matcher's pass at ``tick``: the order as it stands afterwards."""
    await place(gql, user, symbol, "BUY", at["bought"])
    order_id = await limit_order_id(gql, user, symbol, "SELL", at["sold"], at["limit"])
    await tick_at(runtime, matcher.match, symbol, at["tick"])
    return await order(gql, user, order_id)


async def expire_now(runtime: Any, order_id: str) -> None:
    """Move an order's expiry into the past, as if its time had come."""
    async with runtime.services.db.transaction() as session:
        await session.execute(
            text("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = :id"),
            {"id": int(order_id)},
        )


def matcher_for(runtime: Any) -> Matcher:
    return Matcher(runtime.services.db, runtime.services.orders)


class FixedFeed:
    """A controllable feed: moves only the assets given a price, to exactly that price."""

    name = "test"

    def __init__(self, prices: dict[str, Decimal] | None = None) -> None:
        self.prices = dict(prices or {})

    async def next_prices(self, quotes: Any, now: Any) -> dict[int, Decimal]:
        return {q.asset_id: self.prices[q.symbol] for q in quotes if q.symbol in self.prices}

    async def close(self) -> None:
        return None


def engine_with(runtime: Any, feed: FixedFeed) -> PriceEngine:
    """An engine on the real clock (prices it writes stay current), driven tick by tick."""
    return PriceEngine(
        db=runtime.services.db,
        feed=feed,
        pubsub=runtime.services.stores.pubsub,
        matcher=matcher_for(runtime),
        timing=EngineTiming(),
        clock=utc_now,
    )


@asynccontextmanager
async def published_orders(runtime: Any) -> AsyncIterator[list[Order]]:
    """Every order event published while the block runs, in order."""
    updates = runtime.services.stores.pubsub.subscribe(ORDERS_CHANNEL)
    received: list[Order] = []

    async def collect() -> None:
        async for message in updates:
            received.append(decode_order(message))

    collector = asyncio.create_task(collect())
    await asyncio.sleep(0)
    try:
        yield received
        await asyncio.sleep(0.05)
    finally:
        collector.cancel()
