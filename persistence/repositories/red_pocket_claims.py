from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Exists, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import RedPocketClaim
from persistence.vocabulary import RedPocketKind


class RedPocketClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def paid_kinds(self, user_id: int, day: date) -> set[RedPocketKind]:
        """Which paying kinds (SECRET, CONSOLATION) the user already claimed on ``day``.

        One EXISTS per kind, each matching a partial unique index's predicate exactly.
        """

        def claimed(kind: RedPocketKind) -> Exists:
            return exists().where(
                RedPocketClaim.user_id == user_id,
                RedPocketClaim.day == day,
                RedPocketClaim.kind == kind,
            )

        paying = (RedPocketKind.SECRET, RedPocketKind.CONSOLATION)
        hits = (await self.session.execute(select(*(claimed(kind) for kind in paying)))).one()
        return {kind for kind, hit in zip(paying, hits, strict=True) if hit}

    async def record(
        self,
        user_id: int,
        day: date,
        kind: RedPocketKind,
        amount: Decimal,
        ledger_entry_id: int | None,
    ) -> None:
        await self.session.execute(
            insert(RedPocketClaim).values(
                user_id=user_id,
                day=day,
                kind=kind,
                amount=amount,
                ledger_entry_id=ledger_entry_id,
            )
        )
