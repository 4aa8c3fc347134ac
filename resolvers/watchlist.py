from __future__ import annotations

from persistence.models import Asset
from resolvers.context import Context


def _primed(context: Context, assets: list[Asset]) -> list[Asset]:
    # The assets arrived whole: later lookups of them through the loader need no query.
    for asset in assets:
        context.loaders.asset_by_id.prime(asset.id, asset)
    return assets


async def of_user(context: Context, user_id: int) -> list[Asset]:
    return _primed(context, await context.services.watchlist.assets(user_id))


async def add(context: Context, symbol: str) -> list[Asset]:
    return _primed(context, await context.services.watchlist.add(context.require_user_id(), symbol))


async def remove(context: Context, symbol: str) -> list[Asset]:
    user_id = context.require_user_id()
    return _primed(context, await context.services.watchlist.remove(user_id, symbol))
