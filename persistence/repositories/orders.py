from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Order
from persistence.repositories.keyset import KeysetPage, newest_first


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, *, filled: bool = False, **values: Any) -> Order:
        """Insert an order; ``filled`` stamps filled_at with the transaction's time."""
        if filled:
            values["filled_at"] = func.now()
        return (await self.session.scalars(insert(Order).values(**values).returning(Order))).one()

    async def by_client_order_id(self, user_id: int, client_order_id: str) -> Order | None:
        statement = select(Order).where(
            Order.user_id == user_id, Order.client_order_id == client_order_id
        )
        return (await self.session.scalars(statement)).first()

    async def by_ids(self, ids: Sequence[int]) -> list[Order]:
        return list(await self.session.scalars(select(Order).where(Order.id.in_(ids))))

    async def for_user(self, user_id: int, order_id: int) -> Order | None:
        statement = select(Order).where(Order.id == order_id, Order.user_id == user_id)
        return (await self.session.scalars(statement)).first()

    async def recent(self, user_id: int, limit: int) -> list[Order]:
        statement = (
            select(Order).where(Order.user_id == user_id).order_by(Order.id.desc()).limit(limit)
        )
        return list(await self.session.scalars(statement))

    async def page(
        self,
        user_id: int,
        *,
        before_id: int | None,
        limit: int,
        status: str | None = None,
        side: str | None = None,
        asset_id: int | None = None,
    ) -> KeysetPage[Order]:
        filters: list[ColumnElement[bool]] = [Order.user_id == user_id]
        if status is not None:
            filters.append(Order.status == status)
        if side is not None:
            filters.append(Order.side == side)
        if asset_id is not None:
            filters.append(Order.asset_id == asset_id)
        return await newest_first(self.session, Order, filters, before_id=before_id, limit=limit)
