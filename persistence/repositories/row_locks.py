"""Reading a row in order to change it: SELECT ... FOR UPDATE, fresh from the database."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

ModelT = TypeVar("ModelT")


async def lock_one(
    session: AsyncSession, model: type[ModelT], *where: ColumnElement[bool]
) -> ModelT | None:
    """The ``model`` row matching ``where``, row-locked (waiting for a concurrent holder).

    populate_existing: a row this session already holds is refreshed with what the
    locking read saw, never served stale from the identity map.
    """
    statement = (
        select(model).where(*where).with_for_update().execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()
