from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import AssetTransaction
from persistence.repositories.keyset import KeysetPage, count_matching, narrowed, newest_first


class AssetTransactionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, **values: Any) -> None:
        await self.session.execute(insert(AssetTransaction).values(**values))

    async def page(
        self, user_id: int, *, before_id: int | None, limit: int, asset_id: int | None = None
    ) -> KeysetPage[AssetTransaction]:
        filters = self._filters(user_id, asset_id)
        return await newest_first(
            self.session, AssetTransaction, filters, before_id=before_id, limit=limit
        )

    async def count(self, user_id: int, *, asset_id: int | None = None) -> int:
        return await count_matching(
            self.session, AssetTransaction, self._filters(user_id, asset_id)
        )

    @staticmethod
    def _filters(user_id: int, asset_id: int | None) -> list[ColumnElement[bool]]:
        return narrowed(AssetTransaction.user_id == user_id, (AssetTransaction.asset_id, asset_id))
