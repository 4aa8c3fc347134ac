"""A page of a user's orders with their assets: one statement, plain asyncpg rows.

The order list is the hottest read there is (every history page, every dashboard).
Through SQLAlchemy it took three statements (the asset filter, the page, the asset
batch of the loader) and built ORM objects for the assets. Here it is one statement
on the driver: the keyset page, and beside each asset's first order in the page that
asset's columns (``asset__<column>``); later orders of the same asset carry nulls
there, so each asset is read and decoded once per page, as the loader batch did.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

import asyncpg

from persistence.database import RawReads
from persistence.models import Asset, Order
from persistence.text import storable

ORDER_COLUMNS: tuple[str, ...] = tuple(column.name for column in Order.__table__.columns)
ASSET_COLUMNS: tuple[str, ...] = tuple(column.name for column in Asset.__table__.columns)
ASSET_PREFIX = "asset__"
"""Not "asset_": the order's own asset_id would clash with the asset's id."""

OrderRow: TypeAlias = asyncpg.Record
"""A row of a page: read by column name, as a mapping."""


@dataclass(frozen=True, slots=True)
class OrderRows:
    rows: list[OrderRow]
    """Newest first; each has ORDER_COLUMNS, and with assets also ASSET_PREFIX + ASSET_COLUMNS."""
    has_more: bool
    asset_id: int | None = None
    """The asset the asset_symbol filter named (None: no filter, or no such asset)."""
    unknown_asset: bool = False
    """The asset_symbol filter named no asset: the page is empty by definition."""


def page_statement(*, before: bool, status: bool, side: bool, asset: bool) -> str:
    """The keyset page ($1 the user, $2 how many rows, then the filters given, in order)."""
    # Only column names of the models are interpolated; every value is a parameter.
    # One text per combination of filters: each is a prepared statement with a plan that
    # uses the (user_id, id) index, where "$n IS NULL OR ..." would defeat it.
    conditions = ["user_id = $1"]
    for present, condition in (
        (before, "id < ${}"),
        (status, "status = ${}"),
        (side, "side = ${}"),
        (asset, "asset_id = ${}"),
    ):
        if present:
            conditions.append(condition.format(len(conditions) + 2))
    columns = ", ".join(ORDER_COLUMNS)
    return (
        f"SELECT {columns} FROM orders WHERE {' AND '.join(conditions)} "  # noqa: S608
        "ORDER BY id DESC LIMIT $2"
    )


@cache
def _statement(*, before: bool, status: bool, side: bool, asset: bool, with_assets: bool) -> str:
    page = page_statement(before=before, status=status, side=side, asset=asset)
    if not with_assets:
        return page
    assets = ", ".join(
        f"CASE WHEN p.nth = 1 THEN a.{name} END AS {ASSET_PREFIX}{name}" for name in ASSET_COLUMNS
    )
    return (
        f"WITH page AS ({page}) "  # noqa: S608
        f"SELECT {', '.join(f'p.{name}' for name in ORDER_COLUMNS)}, {assets} "
        "FROM (SELECT page.*, row_number() OVER (PARTITION BY asset_id ORDER BY id DESC) AS nth"
        " FROM page) AS p JOIN assets AS a ON a.id = p.asset_id ORDER BY p.id DESC"
    )


UNKNOWN_ASSET = -1
"""What asset_filter answers for a symbol that names no asset (ids are positive)."""


async def asset_filter(reads: RawReads, asset_symbol: str | None) -> int | None:
    """The asset id an asset_symbol filter names: None for no filter, UNKNOWN_ASSET when
    it names none. As AssetRepository.by_symbol reads a symbol: any case, spaces around it
    ignored, and text PostgreSQL cannot store (a NUL) names no asset."""
    if asset_symbol is None:
        return None
    if not storable(asset_symbol):
        return UNKNOWN_ASSET
    known = await reads.fetch(
        "SELECT id FROM assets WHERE symbol = $1", asset_symbol.strip().upper()
    )
    return known[0]["id"] if known else UNKNOWN_ASSET


async def newest_orders(
    reads: RawReads,
    user_id: int,
    *,
    before_id: int | None,
    limit: int,
    status: str | None,
    side: str | None,
    asset_symbol: str | None,
    with_assets: bool,
) -> OrderRows:
    # The arguments follow the statement's numbering: user, limit, then the filters given.
    """The user's orders below ``before_id``, newest first, ``limit`` of them."""
    asset_id = await asset_filter(reads, asset_symbol)
    if asset_id == UNKNOWN_ASSET:
        return OrderRows([], False, unknown_asset=True)
    statement = _statement(
        before=before_id is not None,
        status=status is not None,
        side=side is not None,
        asset=asset_id is not None,
        with_assets=with_assets,
    )
    arguments = [value for value in (before_id, status, side, asset_id) if value is not None]
    rows = await reads.fetch(statement, user_id, limit + 1, *arguments)
    return OrderRows(rows[:limit], len(rows) > limit, asset_id)
