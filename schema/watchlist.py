"""The watchlist: follow and unfollow assets."""

from __future__ import annotations

import strawberry

from resolvers import watchlist as resolve
from resolvers.context import Info
from schema.catalogue import Asset
from schema.common import UserError
from schema.payloads import mutation


@strawberry.type
class WatchlistPayload:
    watchlist: list[Asset] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WatchlistMutation:
    @mutation(
        description=(
            "Idempotent: adding a followed asset or removing one not followed changes nothing "
            "and is no error."
        )
    )
    async def add_to_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        assets = await resolve.add(info.context, asset_symbol)
        return WatchlistPayload(watchlist=[Asset.from_model(asset) for asset in assets])

    @mutation()
    async def remove_from_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        assets = await resolve.remove(info.context, asset_symbol)
        return WatchlistPayload(watchlist=[Asset.from_model(asset) for asset in assets])
