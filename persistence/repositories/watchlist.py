from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset, WatchlistItem


class WatchlistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, user_id: int, asset_id: int) -> None:
        """Follow the asset; following it already changes nothing (its place stays)."""
        await self.session.execute(
            insert(WatchlistItem)
            .values(user_id=user_id, asset_id=asset_id)
            .on_conflict_do_nothing(constraint="uq_watchlist_items_user_asset")
        )

    async def remove(self, user_id: int, asset_id: int) -> None:
        await self.session.execute(
            delete(WatchlistItem).where(
                WatchlistItem.user_id == user_id, WatchlistItem.asset_id == asset_id
            )
        )

    async def assets(self, user_id: int) -> list[Asset]:
        """The followed assets in the order they were added, in one statement."""
        statement = (
            select(Asset)
            .join(WatchlistItem, WatchlistItem.asset_id == Asset.id)
            .where(WatchlistItem.user_id == user_id)
            .order_by(WatchlistItem.id)
        )
        return list(await self.session.scalars(statement))
