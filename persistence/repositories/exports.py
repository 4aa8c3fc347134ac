"""A user's full orders and ledger for export, in keyset batches, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset, LedgerEntry, Order


class ExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def orders(
        self, user_id: int, before_id: int | None, limit: int
    ) -> Sequence[Sequence[Any]]:
        """Up to ``limit`` orders below ``before_id``, with their asset's symbol."""
        statement = (
            select(
                Order.id,
                Order.created_at,
                Asset.symbol,
                Order.side,
                Order.type,
                Order.status,
                Order.quantity,
                Order.limit_price,
                Order.stop_price,
                Order.time_in_force,
                Order.expires_at,
                Order.executed_price,
                Order.total,
                Order.filled_at,
                Order.triggered_at,
                Order.cancelled_at,
                Order.expired_at,
                Order.client_order_id,
            )
            .join(Asset, Asset.id == Order.asset_id)
            .where(Order.user_id == user_id)
        )
        if before_id is not None:
            statement = statement.where(Order.id < before_id)
        result = await self.session.execute(statement.order_by(Order.id.desc()).limit(limit))
        return result.all()

    async def ledger(
        self, user_id: int, before_id: int | None, limit: int
    ) -> Sequence[Sequence[Any]]:
        statement = select(
            LedgerEntry.id,
            LedgerEntry.created_at,
            LedgerEntry.type,
            LedgerEntry.amount,
            LedgerEntry.balance_after,
            LedgerEntry.order_id,
        ).where(LedgerEntry.user_id == user_id)
        if before_id is not None:
            statement = statement.where(LedgerEntry.id < before_id)
        result = await self.session.execute(statement.order_by(LedgerEntry.id.desc()).limit(limit))
        return result.all()
