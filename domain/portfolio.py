"""Valuing a user's holdings at current prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.clock import utc_now
from domain.money import ZERO_CASH, cents, rounded
from persistence.database import Database
from persistence.models import Asset, CashBalance, Position
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.positions import PositionRepository


@dataclass(frozen=True, slots=True)
class ValuedPosition:
    asset: Asset
    quantity: Decimal
    available: Decimal
    average_cost: Decimal | None
    market_value: Decimal
    """quantity x current price, rounded to cents."""
    unrealized_pnl: Decimal | None
    allocation: Decimal
    """Percent of the portfolio's total value, cash included."""


@dataclass(frozen=True, slots=True)
class Valuation:
    cash: Decimal
    positions_value: Decimal
    total_value: Decimal
    positions: list[ValuedPosition]
    as_of: datetime


def value_positions(
    balance: CashBalance | None, holdings: list[tuple[Position, Asset]], as_of: datetime
) -> Valuation:
    cash = balance.cash if balance is not None else ZERO_CASH
    market_values = [cents(position.quantity * asset.price) for position, asset in holdings]
    positions_value = sum(market_values, ZERO_CASH)
    total = cash + positions_value
    valued = [
        ValuedPosition(
            asset=asset,
            quantity=position.quantity,
            available=position.available,
            average_cost=position.average_cost,
            market_value=value,
            unrealized_pnl=None
            if position.average_cost is None
            else cents(value - position.quantity * position.average_cost),
            allocation=rounded(value / total * 100, 2) if total > 0 else ZERO_CASH,
        )
        for (position, asset), value in zip(holdings, market_values, strict=True)
    ]
    valued.sort(key=lambda p: (-p.market_value, p.asset.symbol))
    return Valuation(cash, positions_value, total, valued, as_of)


class Portfolios:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def valuation(self, user_id: int) -> Valuation:
        # One snapshot: the balance and the positions come from the same transaction.
        async with self._db.snapshot() as session:
            balance = await BalanceRepository(session).get(user_id)
            holdings = await PositionRepository(session).held_with_assets(user_id)
        return value_positions(balance, holdings, utc_now())
