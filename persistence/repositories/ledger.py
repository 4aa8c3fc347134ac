from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import IdempotencyKey, LedgerEntry
from persistence.repositories.keyset import KeysetPage, count_matching, narrowed, newest_first
from persistence.vocabulary import LedgerEntryType


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(
        self,
        user_id: int,
        type_: LedgerEntryType,
        amount: Decimal,
        balance_after: Decimal,
        order_id: int | None = None,
    ) -> LedgerEntry:
        statement = (
            insert(LedgerEntry)
            .values(
                user_id=user_id,
                type=type_,
                amount=amount,
                balance_after=balance_after,
                order_id=order_id,
            )
            .returning(LedgerEntry)
        )
        return (await self.session.scalars(statement)).one()

    async def get(self, entry_id: int) -> LedgerEntry | None:
        return await self.session.get(LedgerEntry, entry_id)

    async def total_since(self, user_id: int, type_: LedgerEntryType, since: datetime) -> Decimal:
        """Sum of one user's entries of one type since ``since`` (index-only range)."""
        statement = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.type == type_,
            LedgerEntry.created_at >= since,
        )
        return Decimal(await self.session.scalar(statement) or 0)

    async def totals_since(
        self, user_id: int, types: tuple[LedgerEntryType, ...], since: datetime
    ) -> dict[LedgerEntryType, Decimal]:
        statement = (
            select(LedgerEntry.type, func.sum(LedgerEntry.amount))
            .where(
                LedgerEntry.user_id == user_id,
                LedgerEntry.type.in_(types),
                LedgerEntry.created_at >= since,
            )
            .group_by(LedgerEntry.type)
        )
        sums = {type_: Decimal(total) for type_, total in (await self.session.execute(statement))}
        return {type_: sums.get(type_, Decimal("0.00")) for type_ in types}

    async def page(
        self, user_id: int, *, before_id: int | None, limit: int, type_: LedgerEntryType | None
    ) -> KeysetPage[LedgerEntry]:
        return await newest_first(
            self.session,
            LedgerEntry,
            self._filters(user_id, type_),
            before_id=before_id,
            limit=limit,
        )

    async def count(self, user_id: int, *, type_: LedgerEntryType | None) -> int:
        return await count_matching(self.session, LedgerEntry, self._filters(user_id, type_))

    @staticmethod
    def _filters(user_id: int, type_: LedgerEntryType | None) -> list[ColumnElement[bool]]:
        return narrowed(LedgerEntry.user_id == user_id, (LedgerEntry.type, type_))


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int, key: str) -> IdempotencyKey | None:
        return await self.session.get(IdempotencyKey, (user_id, key))

    async def record(
        self,
        user_id: int,
        key: str,
        operation: LedgerEntryType,
        amount: Decimal,
        ledger_entry_id: int,
    ) -> None:
        await self.session.execute(
            insert(IdempotencyKey).values(
                user_id=user_id,
                key=key,
                operation=operation,
                amount=amount,
                ledger_entry_id=ledger_entry_id,
            )
        )
