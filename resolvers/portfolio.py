from __future__ import annotations

import asyncio

from domain.portfolio import Valuation
from domain.portfolio_history import PortfolioPoint
from resolvers.context import Context


async def _value(context: Context, user_id: int) -> Valuation:
    valued = await context.services.portfolios.valuation(user_id)
    # The positions' assets arrived in the same JOIN: later asset lookups need no query.
    for position in valued.positions:
        context.loaders.asset_by_id.prime(position.asset.id, position.asset)
    return valued


async def valuation(context: Context, user_id: int) -> Valuation:
    """One valuation per request, shared by `positions` and `portfolio` alike."""
    key = ("valuation", user_id)
    task = context.memo.get(key)
    if task is None:
        task = context.memo[key] = asyncio.ensure_future(_value(context, user_id))
    result: Valuation = await task
    return result


async def history(
    context: Context, user_id: int, range_: str, points: int | None
) -> list[PortfolioPoint]:
    return await context.services.portfolio_history.series(user_id, range_, points)
