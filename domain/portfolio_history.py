"""The account's value over time, from the ledger, the asset movements and recorded prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.errors import invalid
from domain.money import ZERO_CASH, cents
from persistence.database import Database
from persistence.repositories.portfolio_history import PortfolioHistoryRepository

RANGES = {
    "ONE_DAY": timedelta(days=1),
    "ONE_WEEK": timedelta(days=7),
    "ONE_MONTH": timedelta(days=30),
}
MIN_POINTS, MAX_POINTS = 2, 500


@dataclass(frozen=True, slots=True)
class PortfolioPoint:
    at: datetime
    cash: Decimal
    positions_value: Decimal
    total_value: Decimal


class PortfolioHistory:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def series(self, user_id: int, range_: str, points: int | None) -> list[PortfolioPoint]:
        """Oldest first. Each position is valued as ``me.portfolio`` values it (units x
        price rounded half-even to the cent), so the last point equals the portfolio now."""
        count = 100 if points is None else points
        if not MIN_POINTS <= count <= MAX_POINTS:
            raise invalid("points", f"Ask for {MIN_POINTS} to {MAX_POINTS} points ({count} given).")
        async with self._db.read() as session:
            series = await PortfolioHistoryRepository(session).series(
                user_id, RANGES[range_], count
            )
        result = []
        for point in series:
            cash = cents(point.cash)
            positions = sum((cents(units * price) for units, price in point.holdings), ZERO_CASH)
            result.append(PortfolioPoint(point.at, cash, positions, cash + positions))
        return result
