from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Integer, Numeric, and_, column, delete, func, insert, or_, select, update
from sqlalchemy import values as values_clause
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import PriceAlert, User
from persistence.vocabulary import PriceAlertCondition, PriceAlertStatus


class PriceAlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_owner(self, user_id: int) -> bool:
        """Row-lock the user, so that counting and inserting alerts is one step per user.

        FOR NO KEY UPDATE: it queues concurrent alert creations of the same user, yet
        leaves the KEY SHARE locks that every insert referencing the user takes (orders,
        ledger entries) free to proceed.
        """
        statement = select(User.id).where(User.id == user_id).with_for_update(key_share=True)
        return (await self.session.scalar(statement)) is not None

    async def count_active(self, user_id: int) -> int:
        statement = select(func.count()).where(
            PriceAlert.user_id == user_id, PriceAlert.status == PriceAlertStatus.ACTIVE
        )
        return int(await self.session.scalar(statement) or 0)

    async def create(
        self, *, user_id: int, asset_id: int, condition: PriceAlertCondition, price: Decimal
    ) -> PriceAlert:
        statement = (
            insert(PriceAlert)
            .values(user_id=user_id, asset_id=asset_id, condition=condition, price=price)
            .returning(PriceAlert)
        )
        return (await self.session.scalars(statement)).one()

    async def trigger(self, alert_id: int, price: Decimal) -> PriceAlert | None:
        """Fire one alert at ``price``, if it is still ACTIVE."""
        statement = (
            update(PriceAlert)
            .where(PriceAlert.id == alert_id, PriceAlert.status == PriceAlertStatus.ACTIVE)
            .values(
                status=PriceAlertStatus.TRIGGERED, triggered_at=func.now(), triggered_price=price
            )
            .returning(PriceAlert)
            # The alert was just inserted in this session: refresh it, do not reuse it.
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return (await self.session.scalars(statement)).first()

    async def trigger_crossed(self, prices: dict[int, Decimal]) -> list[PriceAlert]:
        """Fire every ACTIVE alert these prices (asset id -> price) meet, in one statement.

        The status check is the UPDATE's own WHERE: a row another transaction fired
        meanwhile is re-checked after its lock is released and left alone, so no alert
        fires twice, whoever else runs this at the same time.
        """
        if not prices:
            return []
        moved = values_clause(
            column("asset_id", Integer), column("price", Numeric), name="moved"
        ).data(list(prices.items()))
        statement = (
            update(PriceAlert)
            .where(
                PriceAlert.asset_id == moved.c.asset_id,
                PriceAlert.status == PriceAlertStatus.ACTIVE,
                or_(
                    and_(
                        PriceAlert.condition == PriceAlertCondition.ABOVE,
                        moved.c.price >= PriceAlert.price,
                    ),
                    and_(
                        PriceAlert.condition == PriceAlertCondition.BELOW,
                        moved.c.price <= PriceAlert.price,
                    ),
                ),
            )
            .values(
                status=PriceAlertStatus.TRIGGERED,
                triggered_at=func.now(),
                triggered_price=moved.c.price,
            )
            .returning(PriceAlert)
            .execution_options(synchronize_session=False)
        )
        return list(await self.session.scalars(statement))

    async def delete_own(self, alert_id: int, user_id: int) -> PriceAlert | None:
        statement = (
            delete(PriceAlert)
            .where(PriceAlert.id == alert_id, PriceAlert.user_id == user_id)
            .returning(PriceAlert)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.scalars(statement)).first()

    async def of_user(
        self, user_id: int, status: PriceAlertStatus | None, limit: int
    ) -> list[PriceAlert]:
        statement = select(PriceAlert).where(PriceAlert.user_id == user_id)
        if status is not None:
            statement = statement.where(PriceAlert.status == status)
        statement = statement.order_by(PriceAlert.id.desc()).limit(limit)
        return list(await self.session.scalars(statement))
