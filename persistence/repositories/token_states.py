"""What the system of record says about bearer tokens: sign-outs and password cut-offs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import RevokedToken, User


@dataclass(frozen=True, slots=True)
class TokenState:
    """One token's standing: its user still exists, and what would refuse it."""

    jti: str
    user_id: int
    revoked: bool
    valid_after: datetime | None
    """The user's password-change cut-off: tokens issued before it are refused."""


class TokenStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke(self, jti: str, user_id: int, expires_at: datetime) -> None:
        """Record a sign-out, and forget sign-outs whose tokens have expired by now."""
        await self.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < func.now()))
        await self.session.execute(
            insert(RevokedToken)
            .values(jti=jti, user_id=user_id, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
        )

    async def user_if_standing(self, user_id: int, jti: str) -> tuple[User, bool] | None:
        """The token's user, with whether the token was signed out; None without a user.
        One statement, which also serves as the request's read of the user row."""
        signed_out = select(RevokedToken.jti).where(RevokedToken.jti == jti).exists()
        row = (
            await self.session.execute(
                select(User, signed_out.label("revoked")).where(User.id == user_id)
            )
        ).first()
        return None if row is None else (row[0], bool(row[1]))

    async def states(self, tokens: Sequence[tuple[int, str]]) -> list[TokenState]:
        """The standing of each (user id, jti) whose user exists, in one statement."""
        if not tokens:
            return []
        user_ids = [user_id for user_id, _ in tokens]
        jtis = [jti for _, jti in tokens]
        pairs = select(
            func.unnest(bindparam("user_ids", user_ids, type_=ARRAY(BigInteger))).label("user_id"),
            func.unnest(bindparam("jtis", jtis, type_=ARRAY(String))).label("jti"),
        ).subquery("pairs")
        revoked = (
            select(RevokedToken.jti)
            .where(RevokedToken.jti == pairs.c.jti)
            .exists()
            .label("revoked")
        )
        statement = select(pairs.c.jti, User.id, revoked, User.tokens_valid_after).join(
            User, User.id == pairs.c.user_id
        )
        rows = await self.session.execute(statement)
        return [TokenState(jti, user_id, revoked, after) for jti, user_id, revoked, after in rows]
