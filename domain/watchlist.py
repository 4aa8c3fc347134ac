"""The watchlist: assets a user follows, in the order they were added."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from domain.errors import asset_not_found
from persistence.database import Database
from persistence.models import Asset
from persistence.repositories.assets import AssetRepository
from persistence.repositories.watchlist import WatchlistRepository
from persistence.session import Session

Change = Callable[[WatchlistRepository, int, int], Awaitable[None]]
"""WatchlistRepository.add or .remove: (repository, user id, asset id)."""


class Watchlist:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, user_id: int, symbol: str) -> list[Asset]:
        """Follow an asset (idempotent); the watchlist as it now is."""
        return await self._change(user_id, symbol, WatchlistRepository.add)

    async def remove(self, user_id: int, symbol: str) -> list[Asset]:
        """Stop following an asset (idempotent); the watchlist as it now is."""
        return await self._change(user_id, symbol, WatchlistRepository.remove)

    async def _change(self, user_id: int, symbol: str, change: Change) -> list[Asset]:
        async with self._db.transaction() as session:
            asset = await _asset(session, symbol)
            repository = WatchlistRepository(session)
            await change(repository, user_id, asset.id)
            return await repository.assets(user_id)

    async def assets(self, user_id: int) -> list[Asset]:
        async with self._db.read() as session:
            return await WatchlistRepository(session).assets(user_id)


async def _asset(session: Session, symbol: str) -> Asset:
    asset = await AssetRepository(session).by_symbol(symbol)
    if asset is None:
        raise asset_not_found(f'"{symbol.strip()[:20]}"')
    return asset
