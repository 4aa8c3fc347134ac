from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset, Position
from persistence.repositories.row_locks import lock_one


class PositionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, user_id: int, asset_id: int) -> Position | None:
        """SELECT ... FOR UPDATE on one position (taken after the user's cash row)."""
        return await lock_one(
            self.session, Position, Position.user_id == user_id, Position.asset_id == asset_id
        )

    async def lock_or_create(self, user_id: int, asset_id: int) -> Position:
        """The locked position, created empty first when the user never held the asset."""
        await self.session.execute(
            insert(Position)
            .values(user_id=user_id, asset_id=asset_id)
            .on_conflict_do_nothing(index_elements=["user_id", "asset_id"])
        )
        position = await self.lock(user_id, asset_id)
        assert position is not None
        return position

    async def set(
        self,
        user_id: int,
        asset_id: int,
        *,
        quantity: Decimal,
        average_cost: Decimal | None,
        held_delta: Decimal = Decimal(0),
    ) -> None:
        """Write a locked position's quantity and cost; its held part moves by ``held_delta``."""
        await self.session.execute(
            update(Position)
            .where(Position.user_id == user_id, Position.asset_id == asset_id)
            .values(
                quantity=quantity,
                average_cost=average_cost,
                held=Position.held + held_delta,
                updated_at=func.now(),
            )
        )

    async def hold(self, user_id: int, asset_id: int, delta: Decimal) -> None:
        """Reserve (positive) or release (negative) units of a locked position."""
        await self.session.execute(
            update(Position)
            .where(Position.user_id == user_id, Position.asset_id == asset_id)
            .values(held=Position.held + delta, updated_at=func.now())
        )

    async def held_with_assets(self, user_id: int) -> list[tuple[Position, Asset]]:
        """Every non-zero position with its asset, in one JOIN."""
        statement = (
            select(Position, Asset)
            .join(Asset, Asset.id == Position.asset_id)
            .where(Position.user_id == user_id, Position.quantity > 0)
        )
        return [(position, asset) for position, asset in await self.session.execute(statement)]
