from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset, PricePoint
from persistence.text import storable

ORDERINGS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "MARKET_CAP_RANK": (Asset.market_cap_rank.asc().nulls_last(), Asset.symbol.asc()),
    "SYMBOL": (Asset.symbol.asc(),),
    "PRICE_CHANGE_24H": (Asset.price_change_24h.desc().nulls_last(), Asset.symbol.asc()),
    "VOLUME_24H": (Asset.volume_24h.desc().nulls_last(), Asset.symbol.asc()),
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class AssetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_symbol(self, symbol: str) -> Asset | None:
        if not storable(symbol):
            return None
        statement = select(Asset).where(Asset.symbol == symbol.strip().upper())
        return (await self.session.scalars(statement)).first()

    async def by_symbols(self, symbols: Sequence[str]) -> list[Asset]:
        return list(await self.session.scalars(select(Asset).where(Asset.symbol.in_(symbols))))

    async def by_ids(self, ids: Sequence[int]) -> list[Asset]:
        return list(await self.session.scalars(select(Asset).where(Asset.id.in_(ids))))

    async def lock_price(self, asset_id: int) -> Asset | None:
        """The asset with its row share-locked: its price cannot move until we commit."""
        statement = select(Asset).where(Asset.id == asset_id).with_for_update(read=True)
        return (await self.session.scalars(statement)).first()

    def _filtered(self, search: str | None, tradable_only: bool) -> Select[Asset]:
        statement = select(Asset)
        if tradable_only:
            statement = statement.where(Asset.is_tradable.is_(True))
        if search and not storable(search):
            return statement.where(false())  # no asset's name or symbol can contain it
        if search:
            pattern = f"%{_escape_like(search.strip())}%"
            statement = statement.where(
                or_(
                    Asset.symbol.ilike(pattern, escape="\\"), Asset.name.ilike(pattern, escape="\\")
                )
            )
        return statement

    async def page(
        self, *, search: str | None, tradable_only: bool, order_by: str, offset: int, limit: int
    ) -> tuple[list[Asset], int]:
        """One page in the requested order, and how many assets match in all."""
        filtered = self._filtered(search, tradable_only)
        rows = await self.session.scalars(
            filtered.order_by(*ORDERINGS[order_by]).offset(offset).limit(limit)
        )
        total = await self.session.scalar(select(func.count()).select_from(filtered.subquery()))
        return list(rows), int(total or 0)

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Asset)) or 0)

    async def version(self) -> tuple[int, int, datetime | None]:
        """What changes whenever the catalogue's public figures do: how many assets, the
        newest id, and the latest price update (the engine writes every move with it)."""
        statement = select(func.count(), func.max(Asset.id), func.max(Asset.price_updated_at))
        count, newest, updated = (await self.session.execute(statement)).one()
        return int(count or 0), int(newest or 0), updated

    async def price_history(
        self, asset_ids: Sequence[int], since: datetime, until: datetime, points: int
    ) -> dict[int, list[PricePoint]]:
        """Up to ``points`` evenly spaced points per asset between ``since`` and ``until``.

        The window is cut into ``points`` buckets and each keeps its last recorded
        price, so a chart of any length costs one statement and a bounded answer.
        """
        stride = (until - since) / points
        bucket = func.date_bin(stride, PricePoint.at, since)
        statement = (
            select(PricePoint)
            .where(PricePoint.asset_id.in_(asset_ids), PricePoint.at >= since)
            .ext(distinct_on(PricePoint.asset_id, bucket))
            .order_by(PricePoint.asset_id, bucket, PricePoint.at.desc())
        )
        history: dict[int, list[PricePoint]] = {asset_id: [] for asset_id in asset_ids}
        for point in await self.session.scalars(statement):
            history[point.asset_id].append(point)
        return {asset_id: found[-points:] for asset_id, found in history.items()}
