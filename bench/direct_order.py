"""The order transaction written directly against asyncpg: the floor under both servers.

The statements are the product's market-order statements
(persistence/repositories/market_fills.py), sent in the same order with the same locks as
``Orders.place`` sends them. Every run checks that this is still so (bench/sql_parity.py),
since the product's transaction changes over time.

A market order is stored as IOC, with no stop price and no expiry; the stale-price check
(the asset's price must be younger than ``Limits.max_price_age``) is Python only.

BUY:  lock cash row, read asset, insert order, create-if-missing + lock position,
      update position, insert asset transaction, move cash, append ledger entry.
SELL: lock cash row, read asset, lock position (to check the units; the settlement
      step reuses that row), insert order, update position, insert asset transaction,
      move cash, append ledger entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import asyncpg

from domain.limits import Limits
from domain.money import cents_down, cents_up

# The product's own statement texts: what this module adds is the sequence, the locks'
# order and the arithmetic around them, and sql_parity.py checks that the product's
# market order sends exactly these, in this order, through its real path.
from persistence.repositories.market_fills import (
    APPLY_CASH,
    ASSET_BY_SYMBOL,
    CREATE_POSITION,
    INSERT_ASSET_TRANSACTION,
    INSERT_FILLED_ORDER,
    INSERT_LEDGER,
    LOCK_BALANCE,
    LOCK_POSITION,
    SET_POSITION,
)

BUY, SELL = "BUY", "SELL"
ZERO = Decimal(0)
AVERAGE_COST_PLACES = Decimal("1e-10")


class OrderRejected(Exception):
    """A business check failed; the transaction was rolled back."""


def _average_cost(held: Decimal, average: Decimal | None, bought: Decimal, price: Decimal):
    """Volume-weighted average of executed prices, as the domain computes it."""
    if held == 0 or average is None:
        return price
    exact = (held * average + bought * price) / (held + bought)
    return exact.quantize(AVERAGE_COST_PLACES, rounding=ROUND_HALF_EVEN)


async def place_market_order(
    connection: asyncpg.Connection,
    limits: Limits,
    user_id: int,
    symbol: str,
    side: str,
    quantity: Decimal,
) -> int:
    """Execute one market order in one transaction; returns the new order's id."""
    async with connection.transaction():
        balance = await connection.fetchrow(LOCK_BALANCE, user_id)
        if balance is None:
            raise OrderRejected("no such account")
        asset = await connection.fetchrow(ASSET_BY_SYMBOL, symbol)
        if asset is None or not asset["is_tradable"]:
            raise OrderRejected(f"{symbol} cannot be traded")
        if datetime.now(UTC) - asset["price_updated_at"] > limits.max_price_age:
            raise OrderRejected(f"{symbol} has no current price")
        asset_id, price = asset["id"], asset["price"]
        value = quantity * price
        if not limits.min_order_value <= value <= limits.max_order_value:
            raise OrderRejected(f"order value {value} is outside the limits")
        total = cents_up(value) if side == BUY else cents_down(value)
        if side == BUY:
            if total > balance["cash"] - balance["held"]:
                raise OrderRejected("insufficient funds")
        else:
            locked = await connection.fetchrow(LOCK_POSITION, user_id, asset_id)
            if locked is None or locked["quantity"] - locked["held"] < quantity:
                raise OrderRejected("insufficient asset")
        order = await connection.fetchrow(
            INSERT_FILLED_ORDER,
            *(user_id, asset_id, None, side, "MARKET", "FILLED", quantity),
            *(None, None, "IOC", price, total, ZERO, ZERO, None),
        )
        order_id: int = order["id"]
        if side == BUY:
            await connection.execute(CREATE_POSITION, user_id, asset_id, ZERO, ZERO)
            position = await connection.fetchrow(LOCK_POSITION, user_id, asset_id)
            remaining = position["quantity"] + quantity
            average = _average_cost(position["quantity"], position["average_cost"], quantity, price)
            cash_delta = -total
        else:
            remaining = locked["quantity"] - quantity
            average = locked["average_cost"] if remaining > 0 else None
            cash_delta = total
        await connection.execute(SET_POSITION, remaining, ZERO, average, user_id, asset_id)
        await connection.fetchval(
            INSERT_ASSET_TRANSACTION, user_id, asset_id, order_id, side, quantity, price, total
        )
        balance = await connection.fetchrow(APPLY_CASH, cash_delta, ZERO, user_id)
        ledger_type = "ORDER_BUY" if side == BUY else "ORDER_SELL"
        await connection.fetchrow(
            INSERT_LEDGER, user_id, ledger_type, cash_delta, balance["cash"], order_id
        )
        return order_id
