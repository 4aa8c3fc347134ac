from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# One statement for the whole series: a grid of instants (generate_series), and for each
# instant, through LATERAL joins, the cash after the last ledger entry at or before it,
# the units of every asset moved at or before it, and each such asset's last recorded
# price at or before it. The last instant is the statement's now() and is valued at the
# assets' current prices, so the series ends at what the portfolio is worth now.
SERIES = text(
    """
WITH owner AS (
    SELECT created_at FROM users WHERE id = :user_id
),
grid AS (
    SELECT g.i, now() - (:last - g.i) * CAST(:step AS interval) AS at
    FROM generate_series(0, :last) AS g(i), owner
    WHERE now() - (:last - g.i) * CAST(:step AS interval) >= owner.created_at
       OR g.i = :last
)
SELECT grid.i, grid.at, COALESCE(cash.balance_after, 0) AS cash,
       held.asset_id, held.units,
       CASE WHEN grid.i = :last THEN asset.price
            ELSE COALESCE(recorded.price, asset.price) END AS price
FROM grid
LEFT JOIN LATERAL (
    SELECT e.balance_after FROM ledger_entries e
    WHERE e.user_id = :user_id AND e.created_at <= grid.at
    ORDER BY e.id DESC LIMIT 1
) cash ON true
LEFT JOIN LATERAL (
    SELECT t.asset_id,
           SUM(CASE WHEN t.side = 'BUY' THEN t.quantity ELSE -t.quantity END) AS units
    FROM asset_transactions t
    WHERE t.user_id = :user_id AND t.created_at <= grid.at
    GROUP BY t.asset_id
    HAVING SUM(CASE WHEN t.side = 'BUY' THEN t.quantity ELSE -t.quantity END) <> 0
) held ON true
LEFT JOIN assets asset ON asset.id = held.asset_id
LEFT JOIN LATERAL (
    SELECT p.price FROM price_points p
    WHERE p.asset_id = held.asset_id AND p.at <= grid.at
    ORDER BY p.at DESC LIMIT 1
) recorded ON true
ORDER BY grid.i, held.asset_id
"""
)


@dataclass(slots=True)
class SeriesPoint:
    at: datetime
    cash: Decimal
    holdings: list[tuple[Decimal, Decimal]]
    """(units, price) of each asset held at ``at``."""


class PortfolioHistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def series(self, user_id: int, span: timedelta, points: int) -> list[SeriesPoint]:
        """At most ``points`` instants evenly spread over the ``span`` ending now, none
        before the account was created, oldest first."""
        last = points - 1
        result = await self.session.execute(
            SERIES, {"user_id": user_id, "last": last, "step": span / last}
        )
        series: list[SeriesPoint] = []
        index = None
        for i, at, cash, _asset_id, units, price in result:
            if i != index:
                series.append(SeriesPoint(at, cash, []))
                index = i
            if units is not None:
                series[-1].holdings.append((units, price))
        return series
