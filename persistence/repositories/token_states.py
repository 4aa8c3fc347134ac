"""What the system of record says about bearer tokens: sign-outs and password cut-offs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.database import RawReads
from persistence.models import RevokedToken, User
from persistence.repositories.transient import transient


@dataclass(frozen=True, slots=True)
class TokenState:
    """One token's standing: its user still exists, and what would refuse it."""

    jti: str
    user_id: int
    revoked: bool
    valid_after: datetime | None
    """The user's password-change cut-off: tokens issued before it are refused."""


_USER_COLUMNS = tuple(column.name for column in User.__table__.columns)
# Column names of the model only; the values are parameters.
_USER_IF_STANDING = (
    f"SELECT {', '.join(_USER_COLUMNS)},"  # noqa: S608
    " EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked"
    " FROM users WHERE id = $1"
)


async def user_if_standing(reads: RawReads, user_id: int, jti: str) -> tuple[User, bool] | None:
    """The token's user, with whether the token was signed out; None without a user.
    One statement, which also serves as the request's read of the user row. Straight
    through asyncpg: every request with a token runs it, and through SQLAlchemy its
    statement and ORM loading cost several times the query.

    The user comes back as a transient User (built from the row, in no session): for
    reading, as the request's user loader does, never for adding to a session."""
    rows = await reads.fetch(_USER_IF_STANDING, user_id, jti)
    if not rows:
        return None
    row = rows[0]
    return transient(User, _USER_COLUMNS, row), bool(row["revoked"])


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
