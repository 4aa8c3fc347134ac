from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import CashBalance
from persistence.repositories.row_locks import lock_one


class BalanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> CashBalance | None:
        statement = select(CashBalance).where(CashBalance.user_id == user_id)
        return (await self.session.scalars(statement)).first()

    async def lock(self, user_id: int) -> CashBalance | None:
        """SELECT ... FOR UPDATE on the user's cash row.

        Every money-moving transaction takes this lock first, so one user's
        transactions run one after the other and can never deadlock each other.
        """
        return await lock_one(self.session, CashBalance, CashBalance.user_id == user_id)

    async def apply(
        self, user_id: int, *, cash_delta: Decimal = Decimal(0), held_delta: Decimal = Decimal(0)
    ) -> CashBalance:
        """Move cash and/or its held part; the row must already be locked by this transaction."""
        statement = (
            update(CashBalance)
            .where(CashBalance.user_id == user_id)
            .values(
                cash=CashBalance.cash + cash_delta,
                held=CashBalance.held + held_delta,
                updated_at=func.now(),
            )
            .returning(CashBalance)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        balance = (await self.session.scalars(statement)).one()
        return balance
