"""The order transaction written directly against asyncpg: the floor under both servers.

The statements are the ones the repositories emit for a market order through
``Orders.place``, in the same order, with the same locks, column lists and RETURNING
clauses (only SQLAlchemy's ``::TYPE`` casts are left out). Every run checks that this is
still so (bench/sql_parity.py), since the product's transaction changes over time.

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

BUY, SELL = "BUY", "SELL"
ZERO = Decimal(0)
AVERAGE_COST_PLACES = Decimal("1e-10")

LOCK_BALANCE = (
    "SELECT cash_balances.user_id, cash_balances.cash, cash_balances.held,"
    " cash_balances.updated_at FROM cash_balances"
    " WHERE cash_balances.user_id = $1 FOR UPDATE"
)
ASSET_BY_SYMBOL = (
    "SELECT assets.id, assets.symbol, assets.name, assets.category, assets.description,"
    " assets.image_url, assets.is_tradable, assets.price, assets.price_updated_at,"
    " assets.market_cap, assets.market_cap_rank, assets.price_change_24h,"
    " assets.price_change_7d, assets.price_change_30d, assets.high_24h, assets.low_24h,"
    " assets.volume_24h, assets.circulating_supply, assets.total_supply, assets.max_supply,"
    " assets.all_time_high, assets.all_time_high_at, assets.all_time_low,"
    " assets.all_time_low_at, assets.volatility FROM assets WHERE assets.symbol = $1"
)
INSERT_ORDER = (
    "INSERT INTO orders (user_id, asset_id, client_order_id, side, type, status, quantity,"
    " limit_price, stop_price, time_in_force, executed_price, total, held_cash, held_quantity,"
    " filled_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), $15)"
    " RETURNING orders.id, orders.user_id, orders.asset_id, orders.client_order_id,"
    " orders.side, orders.type, orders.status, orders.quantity, orders.limit_price,"
    " orders.stop_price, orders.time_in_force, orders.executed_price, orders.total,"
    " orders.held_cash, orders.held_quantity, orders.created_at, orders.filled_at,"
    " orders.cancelled_at, orders.expires_at, orders.triggered_at, orders.expired_at"
)
CREATE_POSITION = (
    "INSERT INTO positions (user_id, asset_id, quantity, held) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (user_id, asset_id) DO NOTHING"
)
LOCK_POSITION = (
    "SELECT positions.user_id, positions.asset_id, positions.quantity, positions.held,"
    " positions.average_cost, positions.updated_at FROM positions"
    " WHERE positions.user_id = $1 AND positions.asset_id = $2 FOR UPDATE"
)
SET_POSITION = (
    "UPDATE positions SET quantity=$1, held=(positions.held + $2), average_cost=$3,"
    " updated_at=now() WHERE positions.user_id = $4 AND positions.asset_id = $5"
)
INSERT_ASSET_TRANSACTION = (
    "INSERT INTO asset_transactions (user_id, asset_id, order_id, side, quantity, price, total)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING asset_transactions.id"
)
APPLY_CASH = (
    "UPDATE cash_balances SET cash=(cash_balances.cash + $1),"
    " held=(cash_balances.held + $2), updated_at=now() WHERE cash_balances.user_id = $3"
    " RETURNING cash_balances.user_id, cash_balances.cash, cash_balances.held,"
    " cash_balances.updated_at"
)
INSERT_LEDGER = (
    "INSERT INTO ledger_entries (user_id, type, amount, balance_after, order_id)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING ledger_entries.id, ledger_entries.user_id,"
    " ledger_entries.type, ledger_entries.amount, ledger_entries.balance_after,"
    " ledger_entries.order_id, ledger_entries.created_at"
)


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
            INSERT_ORDER,
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
