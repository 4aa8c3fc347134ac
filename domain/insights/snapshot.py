"""What a portfolio reading may see: figures about holdings and orders, nothing personal.

No user id, name or email is ever part of a snapshot, so nothing personal can reach
a prompt, a log line or the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.money import ZERO_CASH, cents
from domain.portfolio import Valuation
from persistence.models import Order

MAX_HOLDINGS = 10
MAX_ORDERS = 10


@dataclass(frozen=True, slots=True)
class Holding:
    symbol: str
    name: str
    market_value: Decimal
    allocation: Decimal
    """Percent of the portfolio's total value, cash included."""
    change_24h: Decimal | None
    """The asset's price change over 24 hours, in percent."""
    unrealized_pnl: Decimal | None
    cost_basis: Decimal | None
    """What the units held cost (quantity x average cost), when known."""


@dataclass(frozen=True, slots=True)
class RecentOrder:
    symbol: str
    side: str
    type: str
    status: str
    quantity: Decimal
    price: Decimal | None
    """The execution price, or the limit price of an order not filled."""
    total: Decimal | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    cash: Decimal
    total_value: Decimal
    holdings: tuple[Holding, ...]
    """The largest holdings by market value, at most MAX_HOLDINGS of them."""
    recent_orders: tuple[RecentOrder, ...] = ()
    """Newest first, at most MAX_ORDERS of them."""
    more_holdings: int = 0
    """How many further, smaller holdings are left out of ``holdings``."""
    more_holdings_value: Decimal = ZERO_CASH

    @property
    def is_empty(self) -> bool:
        """Nothing held and nothing ever ordered: there is nothing to read yet."""
        return not self.holdings and not self.recent_orders

    @property
    def cash_share(self) -> Decimal:
        """Cash as a percent of the total value."""
        if self.total_value <= 0:
            return Decimal(100)
        return self.cash / self.total_value * 100


def snapshot_from(
    valuation: Valuation, recent_orders: Sequence[tuple[Order, str]]
) -> PortfolioSnapshot:
    """The snapshot of a valuation and the user's newest orders (each with its asset's symbol)."""
    positions = sorted(
        (p for p in valuation.positions if p.quantity > 0),
        key=lambda p: (-p.market_value, p.asset.symbol),
    )
    holdings = tuple(
        Holding(
            symbol=p.asset.symbol,
            name=p.asset.name,
            market_value=p.market_value,
            allocation=p.allocation,
            change_24h=p.asset.price_change_24h,
            unrealized_pnl=p.unrealized_pnl,
            cost_basis=None if p.average_cost is None else cents(p.quantity * p.average_cost),
        )
        for p in positions[:MAX_HOLDINGS]
    )
    left_out = positions[MAX_HOLDINGS:]
    orders = tuple(
        RecentOrder(
            symbol=symbol,
            side=order.side,
            type=order.type,
            status=order.status,
            quantity=order.quantity,
            price=order.executed_price if order.executed_price is not None else order.limit_price,
            total=order.total,
            created_at=order.created_at,
        )
        for order, symbol in recent_orders[:MAX_ORDERS]
    )
    return PortfolioSnapshot(
        cash=valuation.cash,
        total_value=valuation.total_value,
        holdings=holdings,
        recent_orders=orders,
        more_holdings=len(left_out),
        more_holdings_value=sum((p.market_value for p in left_out), ZERO_CASH),
    )
