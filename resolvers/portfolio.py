from __future__ import annotations

import asyncio

from domain.portfolio import Valuation
from resolvers.context import Context


async def _value(context: Context, user_id: int) -> Valuation:
    valued = await context.services.portfolios.valuation(user_id)
    # The positions' assets arrived in the same JOIN: later asset lookups need no query.
    context.loaders.prime_assets(position.asset for position in valued.positions)
    return valued


async def valuation(context: Context, user_id: int) -> Valuation:
    """One valuation per request, shared by `positions` and `portfolio` alike."""
    key = ("valuation", user_id)
    task = context.memo.get(key)
    if task is None:
        task = context.memo[key] = asyncio.ensure_future(_value(context, user_id))
    result: Valuation = await task
    return result
