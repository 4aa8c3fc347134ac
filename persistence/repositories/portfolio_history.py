from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# One statement for the whole series, linear in the rows it reads: a grid of instants
# (generate_series) ending at the statement's now(), none before the account existed.
# Cash and units come from one ordered pass each over the user's rows merged with the
# grid (window functions), not from a search per instant, which cost instants x rows:
# - cash: the ledger entry with the highest id (the order balances were written in)
#   dated at or before each instant, and its balance_after;
# - units: each asset's running sum of its movements up to each instant.
# Each held asset's price is its last recorded one at or before the instant (a LATERAL
# index probe), or its current price for the last instant (and while nothing is
# recorded yet), so the series ends at what the portfolio is worth now.
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
),
cash_timeline AS (
    SELECT e.created_at AS at, e.id, NULL::integer AS i
    FROM ledger_entries e WHERE e.user_id = :user_id
    UNION ALL
    SELECT grid.at, NULL, grid.i FROM grid
),
cash AS (
    SELECT running.i, running.entry_id FROM (
        SELECT i, MAX(id) OVER (ORDER BY at, i NULLS FIRST ROWS UNBOUNDED PRECEDING) AS entry_id
        FROM cash_timeline
    ) running
    WHERE running.i IS NOT NULL
),
move_timeline AS (
    SELECT t.asset_id, t.created_at AS at, NULL::integer AS i,
           CASE WHEN t.side = 'BUY' THEN t.quantity ELSE -t.quantity END AS delta
    FROM asset_transactions t WHERE t.user_id = :user_id
    UNION ALL
    SELECT moved.asset_id, grid.at, grid.i, 0
    FROM (SELECT DISTINCT asset_id FROM asset_transactions WHERE user_id = :user_id) moved
    CROSS JOIN grid
),
held AS (
    SELECT running.i, running.asset_id, running.units FROM (
        SELECT i, asset_id, SUM(delta) OVER (
            PARTITION BY asset_id ORDER BY at, i NULLS FIRST ROWS UNBOUNDED PRECEDING
        ) AS units
        FROM move_timeline
    ) running
    WHERE running.i IS NOT NULL AND running.units <> 0
)
SELECT grid.i, grid.at, COALESCE(entry.balance_after, 0) AS cash,
       held.asset_id, held.units,
       CASE WHEN grid.i = :last THEN asset.price
            ELSE COALESCE(recorded.price, asset.price) END AS price
FROM grid
JOIN cash ON cash.i = grid.i
LEFT JOIN ledger_entries entry ON entry.id = cash.entry_id
LEFT JOIN held ON held.i = grid.i
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
