from __future__ import annotations

from datetime import datetime

from domain.catalogue import chart_window
from domain.pagination import Page
from persistence.models import Asset, PricePoint
from resolvers.context import Context


async def asset(context: Context, symbol: str) -> Asset | None:
    return await context.services.catalogue.asset(symbol)


async def assets(
    context: Context,
    *,
    first: int,
    after: str | None,
    search: str | None,
    tradable_only: bool,
    order_by: str,
) -> Page[Asset]:
    return await context.services.catalogue.assets(
        first=first, after=after, search=search, tradable_only=tradable_only, order_by=order_by
    )


async def price_history(
    context: Context, asset_id: int, since: datetime | None, limit: int | None
) -> list[PricePoint]:
    window = chart_window(since, limit)
    if window is None:
        return []
    return await context.loaders.price_history.load((asset_id, *window))
