"""Newest-first keyset pages over a user's append-only rows (orders, ledger, asset moves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[RowT]):
    rows: list[RowT]
    has_more: bool


def narrowed(
    owner: ColumnElement[bool], *optional: tuple[Any, object | None]
) -> list[ColumnElement[bool]]:
    """The filters of a page: ``owner`` (whose rows), then ``column == value`` for each
    (column, value) of ``optional`` whose value is given (None: no filter)."""
    return [owner, *(column == value for column, value in optional if value is not None)]


async def newest_first(
    session: AsyncSession,
    model: type[RowT],
    filters: list[ColumnElement[bool]],
    *,
    before_id: int | None,
    limit: int,
) -> KeysetPage[RowT]:
    """Rows matching ``filters`` with id below ``before_id``, newest first.

    The cursor is the last id seen, so rows inserted between two requests never
    shift or repeat a later page; an index on (user_id, id) serves it.

    The rows come back as plain result rows, not ORM instances: a read-only page
    needs no identity map or change tracking, and building a hundred instances cost
    more than the query. They carry the same attribute names as ``model``.
    """
    id_column: Any = model.id  # type: ignore[attr-defined]
    table: Any = model.__table__  # type: ignore[attr-defined]
    statement = select(*table.columns).where(*filters)
    if before_id is not None:
        statement = statement.where(id_column < before_id)
    result = await session.execute(statement.order_by(id_column.desc()).limit(limit + 1))
    rows = cast("list[RowT]", list(result))
    return KeysetPage(rows[:limit], len(rows) > limit)


async def count_matching(
    session: AsyncSession, model: type[RowT], filters: list[ColumnElement[bool]]
) -> int:
    """How many rows match: run only when a client asks for totalCount."""
    return int(await session.scalar(select(func.count()).select_from(model).where(*filters)) or 0)
