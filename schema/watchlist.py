"""The watchlist: follow and unfollow assets."""

from __future__ import annotations

import strawberry

from persistence.models import Asset as AssetModel
from resolvers.context import Context, Info
from schema.catalogue import Asset
from schema.payloads import mutation, payload


@payload
class WatchlistPayload:
    watchlist: list[Asset] = strawberry.field(default_factory=list)


def followed(context: Context, assets: list[AssetModel]) -> list[Asset]:
    """A watchlist's assets, as the watchlist service read them."""
    # The assets arrived whole: later lookups of them through the loader need no query.
    context.loaders.prime_assets(assets)
    return [Asset.from_model(asset) for asset in assets]


@strawberry.type
class WatchlistMutation:
    @mutation(
        description=(
            "Idempotent: adding a followed asset or removing one not followed changes nothing "
            "and is no error."
        )
    )
    async def add_to_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        context = info.context
        assets = await context.services.watchlist.add(context.require_user_id(), asset_symbol)
        return WatchlistPayload(watchlist=followed(context, assets))

    @mutation()
    async def remove_from_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        context = info.context
        assets = await context.services.watchlist.remove(context.require_user_id(), asset_symbol)
        return WatchlistPayload(watchlist=followed(context, assets))
