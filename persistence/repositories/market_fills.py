"""The market order's statements, sent straight through asyncpg inside one transaction.

The same statements, in the same order and with the same locks, as the session
repositories send for it (balances, assets, orders, positions, asset movements, ledger):
only the layer they go through differs. Rows come back as asyncpg records, or as
transient models (built from the row, in no session) where the caller hands them on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg

from persistence.database import RawTransaction
from persistence.models import Asset, Order
from persistence.text import storable
from persistence.vocabulary import LedgerEntryType, OrderSide, OrderStatus, OrderType, TimeInForce

ZERO = Decimal(0)

_ORDER_COLUMNS = tuple(column.name for column in Order.__table__.columns)
_ASSET_COLUMNS = tuple(column.name for column in Asset.__table__.columns)
_ORDER_RETURNING = ", ".join(f"orders.{name}" for name in _ORDER_COLUMNS)
# Column names of the models only; every value is a parameter.
LOCK_BALANCE = (
    "SELECT cash_balances.user_id, cash_balances.cash, cash_balances.held,"
    " cash_balances.updated_at FROM cash_balances"
    " WHERE cash_balances.user_id = $1 FOR UPDATE"
)
ASSET_BY_SYMBOL = (
    f"SELECT {', '.join(f'assets.{name}' for name in _ASSET_COLUMNS)}"  # noqa: S608
    " FROM assets WHERE assets.symbol = $1"
)
ORDER_BY_CLIENT_ID = (
    f"SELECT {', '.join(f'orders.{name}' for name in _ORDER_COLUMNS)}"  # noqa: S608
    " FROM orders WHERE orders.user_id = $1 AND orders.client_order_id = $2"
)
INSERT_FILLED_ORDER = (
    "INSERT INTO orders (user_id, asset_id, client_order_id, side, type, status, quantity,"  # noqa: S608
    " limit_price, stop_price, time_in_force, executed_price, total, held_cash, held_quantity,"
    " filled_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), $15)"
    f" RETURNING {_ORDER_RETURNING}"
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


def _order(row: asyncpg.Record) -> Order:
    return Order(**{name: row[name] for name in _ORDER_COLUMNS})


class MarketFills:
    """One market order's reads and writes; the caller's transaction holds the locks."""

    def __init__(self, tx: RawTransaction) -> None:
        self.tx = tx

    async def lock_balance(self, user_id: int) -> asyncpg.Record | None:
        """SELECT ... FOR UPDATE on the user's cash row: always the first lock."""
        return await self.tx.fetchrow(LOCK_BALANCE, user_id)

    async def asset(self, symbol: str) -> Asset | None:
        if not storable(symbol):
            return None
        row = await self.tx.fetchrow(ASSET_BY_SYMBOL, symbol.strip().upper())
        return None if row is None else Asset(**{name: row[name] for name in _ASSET_COLUMNS})

    async def by_client_order_id(self, user_id: int, client_order_id: str) -> Order | None:
        row = await self.tx.fetchrow(ORDER_BY_CLIENT_ID, user_id, client_order_id)
        return None if row is None else _order(row)

    async def lock_position(self, user_id: int, asset_id: int) -> asyncpg.Record | None:
        """SELECT ... FOR UPDATE on one position (after the cash row and the order)."""
        return await self.tx.fetchrow(LOCK_POSITION, user_id, asset_id)

    async def lock_or_create_position(self, user_id: int, asset_id: int) -> asyncpg.Record:
        await self.tx.execute(CREATE_POSITION, user_id, asset_id, ZERO, ZERO)
        position = await self.lock_position(user_id, asset_id)
        assert position is not None
        return position

    async def insert_filled(
        self,
        *,
        user_id: int,
        asset_id: int,
        client_order_id: str | None,
        side: OrderSide,
        quantity: Decimal,
        time_in_force: TimeInForce,
        price: Decimal,
        total: Decimal,
        expires_at: datetime | None,
    ) -> Order:
        """A market order filled now: filled_at is the transaction's time."""
        row = await self.tx.fetchrow(
            INSERT_FILLED_ORDER,
            *(
                user_id,
                asset_id,
                client_order_id,
                side,
                OrderType.MARKET,
                OrderStatus.FILLED,
                quantity,
            ),
            *(None, None, time_in_force, price, total, ZERO, ZERO, expires_at),
        )
        assert row is not None
        return _order(row)

    async def set_position(
        self, user_id: int, asset_id: int, quantity: Decimal, average_cost: Decimal | None
    ) -> None:
        await self.tx.execute(SET_POSITION, quantity, ZERO, average_cost, user_id, asset_id)

    async def append_asset_transaction(
        self,
        user_id: int,
        asset_id: int,
        order_id: int,
        side: OrderSide,
        quantity: Decimal,
        price: Decimal,
        total: Decimal,
    ) -> None:
        await self.tx.fetchrow(
            INSERT_ASSET_TRANSACTION, user_id, asset_id, order_id, side, quantity, price, total
        )

    async def move_cash(self, user_id: int, cash_delta: Decimal) -> Decimal:
        """Move the (locked) cash row; returns the cash after."""
        row = await self.tx.fetchrow(APPLY_CASH, cash_delta, ZERO, user_id)
        assert row is not None
        cash: Decimal = row["cash"]
        return cash

    async def append_ledger(
        self,
        user_id: int,
        type_: LedgerEntryType,
        amount: Decimal,
        balance_after: Decimal,
        order_id: int,
    ) -> None:
        await self.tx.fetchrow(INSERT_LEDGER, user_id, type_, amount, balance_after, order_id)
