"""Positions and the valued portfolio."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from domain.portfolio import Valuation, ValuedPosition
from domain.portfolio_history import PortfolioPoint as DomainPortfolioPoint
from schema.catalogue import Asset
from schema.common import from_attributes


@strawberry.type(description="Units of one asset the user holds, valued at the current price.")
class Position:
    asset: Asset
    quantity: Decimal = strawberry.field(
        description="All units held, including what open sell orders hold."
    )
    available: Decimal = strawberry.field(description="Units not held by open sell orders.")
    average_cost: Decimal | None = strawberry.field(
        description="Volume-weighted average purchase price of the units held."
    )
    market_value: Decimal = strawberry.field(
        description="quantity x current price, rounded to cents."
    )
    unrealized_pnl: Decimal | None = strawberry.field(
        description="marketValue - quantity x averageCost."
    )
    allocation: Decimal = strawberry.field(
        description="Share of the portfolio's totalValue, in percent (0-100)."
    )

    @classmethod
    def from_valued(cls, valued: ValuedPosition) -> Position:
        return from_attributes(cls, valued, asset=Asset.from_model(valued.asset))


@strawberry.type(description="Cash and positions valued at current prices.")
class Portfolio:
    cash: Decimal
    positions_value: Decimal
    total_value: Decimal = strawberry.field(description="cash + positionsValue.")
    positions: list[Position]
    as_of: datetime

    @classmethod
    def from_valuation(cls, valuation: Valuation) -> Portfolio:
        return from_attributes(
            cls, valuation, positions=[Position.from_valued(p) for p in valuation.positions]
        )


@strawberry.enum
class HistoryRange(Enum):
    ONE_DAY = "ONE_DAY"
    ONE_WEEK = "ONE_WEEK"
    ONE_MONTH = "ONE_MONTH"


@strawberry.type
class PortfolioPoint:
    at: datetime
    cash: Decimal
    positions_value: Decimal
    total_value: Decimal = strawberry.field(description="cash + positionsValue.")

    @classmethod
    def from_domain(cls, point: DomainPortfolioPoint) -> PortfolioPoint:
        return from_attributes(cls, point)
