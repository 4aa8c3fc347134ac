from __future__ import annotations

from domain.orders import OrderRequest
from persistence.models import Asset, Order
from resolvers.context import Context


async def place_order(context: Context, request: OrderRequest) -> Order:
    order, asset = await context.services.orders.place_with_asset(
        context.require_user_id(), request
    )
    if asset is not None:
        # The asset as the order's transaction read it: the answer reads it no second time.
        context.loaders.asset_by_id.prime(asset.id, asset)
    return order


async def cancel_order(context: Context, order_id: str) -> Order:
    return await context.services.orders.cancel(context.require_user_id(), order_id)


async def cancel_all_orders(context: Context, asset_symbol: str | None) -> list[Order]:
    return await context.services.orders.cancel_all(context.require_user_id(), asset_symbol)


async def order(context: Context, order_id: str) -> Order | None:
    return await context.services.history.order(context.require_user_id(), order_id)


async def asset_of(context: Context, asset_id: int) -> Asset:
    asset = await context.loaders.asset_by_id.load(asset_id)
    if asset is None:
        raise LookupError(f"asset {asset_id} is missing")
    return asset


async def assets_of(context: Context, asset_ids: set[int]) -> dict[int, Asset]:
    """Assets by id, through the request's loader: one query for the whole batch."""
    found = await context.loaders.asset_by_id.load_many(sorted(asset_ids))
    return {asset.id: asset for asset in found if asset is not None}


async def order_by_id(context: Context, order_id: int) -> Order:
    found = await context.loaders.order_by_id.load(order_id)
    if found is None:
        raise LookupError(f"order {order_id} is missing")
    return found
