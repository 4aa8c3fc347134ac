from __future__ import annotations

import asyncpg

from domain.pagination import Page
from domain.vocabulary import LedgerEntryType, OrderSide, OrderStatus
from persistence.models import AssetTransaction, LedgerEntry
from resolvers.context import Context


async def orders(
    context: Context,
    user_id: int,
    *,
    first: int,
    after: str | None,
    status: OrderStatus | None,
    side: OrderSide | None,
    asset_symbol: str | None,
    with_assets: bool,
) -> Page[asyncpg.Record]:
    return await context.services.history.orders(
        user_id,
        first=first,
        after=after,
        status=status,
        side=side,
        asset_symbol=asset_symbol,
        with_assets=with_assets,
    )


async def transactions(
    context: Context, user_id: int, *, first: int, after: str | None, type_: LedgerEntryType | None
) -> Page[LedgerEntry]:
    return await context.services.history.transactions(
        user_id, first=first, after=after, type_=type_
    )


async def asset_transactions(
    context: Context, user_id: int, *, first: int, after: str | None, asset_symbol: str | None
) -> Page[AssetTransaction]:
    return await context.services.history.asset_transactions(
        user_id, first=first, after=after, asset_symbol=asset_symbol
    )
