"""The watchlist: assets a user follows, in the order they were added."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import BusinessError, ErrorCode
from persistence.database import Database
from persistence.models import Asset
from persistence.repositories.assets import AssetRepository
from persistence.repositories.watchlist import WatchlistRepository


class Watchlist:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, user_id: int, symbol: str) -> list[Asset]:
        """Follow an asset (idempotent); the watchlist as it now is."""
        async with self._db.transaction() as session:
            asset = await _asset(session, symbol)
            repository = WatchlistRepository(session)
            await repository.add(user_id, asset.id)
            return await repository.assets(user_id)

    async def remove(self, user_id: int, symbol: str) -> list[Asset]:
        """Stop following an asset (idempotent); the watchlist as it now is."""
        async with self._db.transaction() as session:
            asset = await _asset(session, symbol)
            repository = WatchlistRepository(session)
            await repository.remove(user_id, asset.id)
            return await repository.assets(user_id)

    async def assets(self, user_id: int) -> list[Asset]:
        async with self._db.read() as session:
            return await WatchlistRepository(session).assets(user_id)


async def _asset(session: AsyncSession, symbol: str) -> Asset:
    asset = await AssetRepository(session).by_symbol(symbol)
    if asset is None:
        raise BusinessError(
            ErrorCode.ASSET_NOT_FOUND,
            f'No asset has the symbol "{symbol.strip()[:20]}".',
            "assetSymbol",
        )
    return asset
