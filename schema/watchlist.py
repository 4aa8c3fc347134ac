"""The watchlist: follow and unfollow assets."""

from __future__ import annotations

import strawberry

from domain.errors import BusinessError
from resolvers import watchlist as resolve
from resolvers.context import Info
from schema.catalogue import Asset
from schema.common import UserError, user_errors


@strawberry.type
class WatchlistPayload:
    watchlist: list[Asset] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WatchlistMutation:
    @strawberry.mutation(
        description=(
            "Idempotent: adding a followed asset or removing one not followed changes nothing "
            "and is no error."
        )
    )
    async def add_to_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        try:
            assets = await resolve.add(info.context, asset_symbol)
        except BusinessError as failure:
            return WatchlistPayload(errors=user_errors(failure))
        return WatchlistPayload(watchlist=[Asset.from_model(asset) for asset in assets])

    @strawberry.mutation
    async def remove_from_watchlist(self, info: Info, asset_symbol: str) -> WatchlistPayload:
        try:
            assets = await resolve.remove(info.context, asset_symbol)
        except BusinessError as failure:
            return WatchlistPayload(errors=user_errors(failure))
        return WatchlistPayload(watchlist=[Asset.from_model(asset) for asset in assets])
