from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import CashBalance, User
from persistence.text import storable


class UniqueViolation(Exception):
    """An insert or update hit a unique index; ``constraint`` names which."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


def unique_violation(error: IntegrityError) -> UniqueViolation | None:
    cause = getattr(error.orig, "__cause__", None)
    if getattr(cause, "sqlstate", None) != "23505":
        return None
    return UniqueViolation(str(getattr(cause, "constraint_name", "") or ""))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def get_many(self, user_ids: Sequence[int]) -> list[User]:
        rows = await self.session.scalars(select(User).where(User.id.in_(user_ids)))
        return list(rows)

    async def find_for_login(self, username_or_email: str) -> User | None:
        if not storable(username_or_email):
            return None
        needle = username_or_email.strip().lower()
        statement = select(User).where(
            or_(func.lower(User.username) == needle, User.email == needle)
        )
        return (await self.session.scalars(statement.limit(1))).first()

    async def create(self, **values: Any) -> User:
        """Insert a user with an empty cash balance.

        Raises UniqueViolation when the name or email is taken: the unique index decides.
        """
        user = User(**values)
        self.session.add(user)
        try:
            await self.session.flush()
        except IntegrityError as error:
            violation = unique_violation(error)
            if violation is None:
                raise
            raise violation from None
        self.session.add(CashBalance(user_id=user.id))
        await self.session.flush()
        return user

    async def update(self, user_id: int, **values: Any) -> User | None:
        statement = (
            update(User)
            .where(User.id == user_id)
            .values(**values, updated_at=func.now())
            .returning(User)
        )
        try:
            result = await self.session.scalars(
                statement, execution_options={"synchronize_session": False}
            )
        except IntegrityError as error:
            violation = unique_violation(error)
            if violation is None:
                raise
            raise violation from None
        return result.first()

    async def upgrade_password_hash(self, user_id: int, old_hash: str, new_hash: str) -> None:
        """The same password, hashed with newer parameters; a no-op once the password changed."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == old_hash)
            .values(password_hash=new_hash)
        )

    async def set_password(self, user_id: int, password_hash: str, at: datetime) -> None:
        """Store the new hash and refuse tokens issued before ``at``. The cut-off only moves
        forward: of two changes committed out of order, the later instant holds."""
        cut_off = func.greatest(func.coalesce(User.tokens_valid_after, at), at)
        await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=password_hash, tokens_valid_after=cut_off, updated_at=func.now())
        )
