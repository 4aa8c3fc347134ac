"""Reads a user's snapshot from the database: their valuation and newest orders."""

from __future__ import annotations

from domain.insights.snapshot import MAX_ORDERS, PortfolioSnapshot, snapshot_from
from domain.portfolio import Portfolios, Valuation
from persistence.database import Database
from persistence.repositories.assets import AssetRepository
from persistence.repositories.orders import OrderRepository


class SnapshotSource:
    def __init__(self, db: Database, portfolios: Portfolios) -> None:
        self._db = db
        self._portfolios = portfolios

    async def for_user(self, user_id: int, valuation: Valuation | None = None) -> PortfolioSnapshot:
        """Reuses ``valuation`` when given: the request may have valued the portfolio already."""
        if valuation is None:
            valuation = await self._portfolios.valuation(user_id)
        async with self._db.read() as session:
            orders = await OrderRepository(session).recent(user_id, MAX_ORDERS)
            asset_ids = sorted({order.asset_id for order in orders})
            assets = await AssetRepository(session).by_ids(asset_ids) if asset_ids else []
        symbols = {asset.id: asset.symbol for asset in assets}
        return snapshot_from(valuation, [(order, symbols[order.asset_id]) for order in orders])
