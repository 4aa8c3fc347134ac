"""Trading: orders and asset movements, placing orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.history import ASSET_COLUMNS_PREFIX
from domain.orders import OrderRequest
from persistence.models import AssetTransaction as AssetTransactionModel
from persistence.models import Order as OrderModel
from resolvers.context import Info
from schema.catalogue import Asset, build_with_assets, built_asset
from schema.common import from_attributes, given
from schema.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from schema.payloads import mutation, payload


@strawberry.type(description="An order of the signed-in user.")
class Order:
    asset_id: strawberry.Private[int]
    id: strawberry.ID
    client_order_id: str | None
    side: OrderSide
    type: OrderType
    status: OrderStatus
    quantity: Decimal
    limit_price: Decimal | None
    executed_price: Decimal | None = strawberry.field(
        description="Price per unit the order filled at; null until filled."
    )
    total: Decimal | None = strawberry.field(
        description=(
            "Cash that changed hands: BUY pays quantity x executedPrice rounded up to the cent, "
            "SELL receives it rounded down. Null until filled."
        )
    )
    created_at: datetime
    filled_at: datetime | None
    cancelled_at: datetime | None
    stop_price: Decimal | None = strawberry.field(description="STOP and STOP_LIMIT only.")
    time_in_force: TimeInForce
    expires_at: datetime | None = strawberry.field(
        description="When a DAY or GTD order expires; null for the others."
    )
    triggered_at: datetime | None = strawberry.field(
        description="When a STOP or STOP_LIMIT order's stop condition held."
    )
    expired_at: datetime | None = strawberry.field(description="When an EXPIRED order was closed.")

    preloaded_asset: strawberry.Private[Asset | None] = None
    asset: Asset = strawberry.field(resolver=built_asset)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], asset: Asset | None) -> Order:
        """From a row of ``order_pages`` (plain columns, no ORM object)."""
        return cls(
            preloaded_asset=asset,
            asset_id=row["asset_id"],
            id=strawberry.ID(str(row["id"])),
            client_order_id=row["client_order_id"],
            side=OrderSide[row["side"]],
            type=OrderType[row["type"]],
            status=OrderStatus[row["status"]],
            quantity=row["quantity"],
            limit_price=row["limit_price"],
            executed_price=row["executed_price"],
            total=row["total"],
            created_at=row["created_at"],
            filled_at=row["filled_at"],
            cancelled_at=row["cancelled_at"],
            stop_price=row["stop_price"],
            time_in_force=TimeInForce[row["time_in_force"]],
            expires_at=row["expires_at"],
            triggered_at=row["triggered_at"],
            expired_at=row["expired_at"],
        )

    @classmethod
    def from_model(cls, model: OrderModel, asset: Asset | None) -> Order:
        return from_attributes(cls, model, preloaded_asset=asset)


async def build_orders(info: Info, models: list[OrderModel]) -> list[Order]:
    return await build_with_assets(info.context, models, Order.from_model)


def orders_from_rows(rows: Sequence[Mapping[str, Any]], with_assets: bool) -> list[Order]:
    """Orders from a page of ``History.orders`` rows; with_assets: each asset's columns sit
    beside its first order in the page, and one Asset serves all its orders."""
    if not with_assets:
        return [Order.from_row(row, None) for row in rows]
    assets: dict[int, Asset] = {}
    orders = []
    for row in rows:
        asset = assets.get(row["asset_id"])
        if asset is None:
            asset = assets[row["asset_id"]] = Asset.from_row(row, ASSET_COLUMNS_PREFIX)
        orders.append(Order.from_row(row, asset))
    return orders


async def build_order(info: Info, model: OrderModel) -> Order:
    (order,) = await build_with_assets(info.context, [model], Order.from_model)
    return order


@strawberry.type(description="Units moved in or out of a position by an order fill.")
class AssetTransaction:
    asset_id: strawberry.Private[int]
    order_id: strawberry.Private[int]
    id: strawberry.ID
    side: OrderSide
    quantity: Decimal
    price: Decimal
    total: Decimal
    created_at: datetime

    @strawberry.field
    async def asset(self, info: Info) -> Asset:
        context = info.context
        return Asset.of_request(context, await context.loaders.asset(self.asset_id))

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return await build_order(info, await info.context.loaders.order(self.order_id))

    @classmethod
    def from_model(cls, model: AssetTransactionModel) -> AssetTransaction:
        return from_attributes(cls, model)


@strawberry.input
class PlaceOrderInput:
    asset_symbol: str
    side: OrderSide
    type: OrderType = OrderType.MARKET
    quantity: Decimal = strawberry.field(description="Positive, at most eight decimal places.")
    limit_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required for LIMIT and STOP_LIMIT, forbidden for MARKET and STOP.",
    )
    stop_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required for STOP and STOP_LIMIT, forbidden for the others.",
    )
    time_in_force: TimeInForce | None = strawberry.field(
        default=TimeInForce.GTC, description="Ignored for MARKET (always IOC)."
    )
    expires_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Required for GTD, forbidden for the others; must lie in the future and within 90 days."
        ),
    )
    client_order_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Optional, unique per user. A retry with the same id returns the first order and "
            "executes nothing again; the same id with different parameters is an "
            "IDEMPOTENCY_CONFLICT."
        ),
    )

    def to_domain(self) -> OrderRequest:
        return OrderRequest(
            asset_symbol=self.asset_symbol,
            side=self.side,
            type=self.type,
            quantity=self.quantity,
            limit_price=given(self.limit_price),
            client_order_id=given(self.client_order_id),
            stop_price=given(self.stop_price),
            # An explicit null means the default, as leaving the field out does.
            time_in_force=given(self.time_in_force) or TimeInForce.GTC,
            expires_at=given(self.expires_at),
        )


@payload
class OrderPayload:
    order: Order | None = None


@payload
class CancelAllOrdersPayload:
    orders: list[Order] = strawberry.field(
        default_factory=list, description="The orders this call cancelled."
    )


@strawberry.type
class TradingQuery:
    @strawberry.field(
        description=(
            "One of the signed-in user's own orders, or null when it does not exist or belongs "
            "to someone else. Requires authentication."
        )
    )
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        context = info.context
        model = await context.services.history.order(context.require_user_id(), str(id))
        return None if model is None else await build_order(info, model)


@strawberry.type
class TradingMutation:
    @mutation()
    async def place_order(self, info: Info, input: PlaceOrderInput) -> OrderPayload:
        context = info.context
        order, asset = await context.services.orders.place_with_asset(
            context.require_user_id(), input.to_domain()
        )
        # The asset as the order's transaction read it: the answer reads it no second time.
        context.loaders.prime_assets([] if asset is None else [asset])
        return OrderPayload(order=await build_order(info, order))

    @mutation(description="Cancels one of the user's OPEN orders and releases what it held.")
    async def cancel_order(self, info: Info, id: strawberry.ID) -> OrderPayload:
        context = info.context
        order = await context.services.orders.cancel(context.require_user_id(), str(id))
        return OrderPayload(order=await build_order(info, order))

    @mutation(
        description=(
            "Cancels every OPEN order of the user (of one asset when assetSymbol is given) in "
            "one transaction."
        )
    )
    async def cancel_all_orders(
        self, info: Info, asset_symbol: str | None = None
    ) -> CancelAllOrdersPayload:
        context = info.context
        orders = await context.services.orders.cancel_all(context.require_user_id(), asset_symbol)
        return CancelAllOrdersPayload(orders=await build_orders(info, orders))
